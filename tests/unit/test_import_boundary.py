"""The conversation core must not depend on any channel or web library."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = ["bot/conversation.py", "bot/messages.py", "bot/intents.py", "bot/understanding.py",
        "bot/i18n.py", "bot/locks.py", "bot/settings.py", "bot/skills", "bot/store"]
FORBIDDEN = {"telegram", "fastapi", "starlette", "uvicorn", "httpx", "connectors.sandbox"}


def _imports(path: Path):
    tree = ast.parse(path.read_text("utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_core_imports_no_channel_library():
    files = []
    for entry in CORE:
        p = ROOT / entry
        files += sorted(p.rglob("*.py")) if p.is_dir() else [p]
    assert len(files) > 10
    offending = [(f.relative_to(ROOT), m) for f in files for m in _imports(f)
                 if any(m == bad or m.startswith(bad + ".") for bad in FORBIDDEN)]
    assert offending == []
