"""Training examples: ``bot/nlu/data/intents/<lang>.md``, one example per line under
``## <intent>`` headings (the Rasa markdown layout, readable without extra packages)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

from ..results import INTENTS, SUPPORTED_LANGUAGES

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


@dataclass(frozen=True)
class Example:
    """One labelled training message."""

    text: str
    intent: str
    language: str


def parse_examples(markdown: str, language: str) -> list[Example]:
    """Parse one training file.

    Raises:
        ValueError: On an unknown intent or an example outside a heading.
    """
    examples: list[Example] = []
    intent: str | None = None
    for number, raw in enumerate(_COMMENT.sub("", markdown).splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("## "):
            intent = line[3:].strip()
            if intent not in INTENTS:
                raise ValueError(f"{language}.md:{number}: unknown intent {intent!r}")
        elif line.startswith("- "):
            if intent is None:
                raise ValueError(f"{language}.md:{number}: example before any '## intent'")
            examples.append(Example(line[2:].strip(), intent, language))
    return examples


def load_examples(languages: tuple[str, ...] = SUPPORTED_LANGUAGES) -> list[Example]:
    """Load the bundled training examples of ``languages``."""
    folder = resources.files("bot.nlu.data").joinpath("intents")
    examples: list[Example] = []
    for language in languages:
        text = folder.joinpath(f"{language}.md").read_text(encoding="utf-8")
        examples += parse_examples(text, language)
    return examples
