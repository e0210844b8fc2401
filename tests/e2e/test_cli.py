"""The CLI as a user runs it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SHARED_INDEX_DIR

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("shared_index_dir")]
TRADEBOT = str(Path(sys.executable).with_name("tradebot"))


def run(args, tmp_path, **env):
    full_env = {**os.environ, "TRADEBOT_DATA_DIR": str(tmp_path / "var"), "TRADEBOT_INDEX_DIR": str(SHARED_INDEX_DIR), **env}
    full_env.pop("TRADEBOT_DATABASE_URL", None)
    return subprocess.run([TRADEBOT, *args], cwd=tmp_path, env=full_env, capture_output=True,
                          text=True, timeout=120)


def test_ask_continues_a_dialogue_per_sender(tmp_path):
    r1 = run(["ask", "/lang", "--sender", "ana", "--json"], tmp_path)
    assert r1.returncode == 0, r1.stderr
    t1 = json.loads(r1.stdout)
    assert set(t1) == {"conversation_id", "intent", "language", "replies", "sources", "handoff"}
    r2 = run(["ask", "Français", "--sender", "ana", "--json"], tmp_path)
    t2 = json.loads(r2.stdout)
    assert t2["conversation_id"] == t1["conversation_id"] and t2["language"] == "fr"
    other = json.loads(run(["ask", "hello", "--sender", "ben", "--json"], tmp_path).stdout)
    assert other["conversation_id"] != t1["conversation_id"] and other["language"] == "en"


def test_ask_lang_option_and_plain_output(tmp_path):
    r = run(["ask", "hola", "--lang", "es"], tmp_path)
    assert r.returncode == 0 and "¡Hola" in r.stdout and "1." in r.stdout


def test_bad_settings_fail_fast_with_a_clear_message(tmp_path):
    r = run(["ask", "hi"], tmp_path, TRADEBOT_PORT="not-a-port")
    assert r.returncode == 2
    assert "TRADEBOT_PORT" in r.stderr and "Traceback" not in r.stderr


def test_chat_reads_lines_and_numbers_pick_options(tmp_path):
    full_env = {**os.environ, "TRADEBOT_DATA_DIR": str(tmp_path / "var"), "TRADEBOT_INDEX_DIR": str(SHARED_INDEX_DIR)}
    p = subprocess.run([TRADEBOT, "chat", "--sender", "cara"], input="/lang\n2\n/quit\n", text=True,
                       capture_output=True, cwd=tmp_path, env=full_env, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "Deutsch" in p.stdout and "Ab jetzt antworte ich auf Deutsch." in p.stdout


def test_classify_reads_lines_and_prints_json_lines(tmp_path):
    full_env = {**os.environ, "TRADEBOT_DATA_DIR": str(tmp_path / "var"), "TRADEBOT_INDEX_DIR": str(SHARED_INDEX_DIR)}
    p = subprocess.run([TRADEBOT, "classify", "-", "--json", "--top", "3"], input="roasted coffee beans\nLederschuhe\n",
                       text=True, capture_output=True, cwd=tmp_path, env=full_env, timeout=300)
    assert p.returncode == 0, p.stderr
    rows = [json.loads(line) for line in p.stdout.splitlines()]
    assert [r["query"] for r in rows] == ["roasted coffee beans", "Lederschuhe"]
    assert all(len(r["candidates"]) == 3 for r in rows)
    assert set(rows[0]["candidates"][0]) == {"code", "heading", "description", "score"}
    assert rows[0]["candidates"][0]["heading"] == "0901" and rows[1]["candidates"][0]["heading"] == "6403"
