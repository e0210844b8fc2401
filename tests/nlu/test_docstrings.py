"""The examples in the public docstrings run as written."""

import doctest
import importlib

import pytest

MODULES = [
    "bot.nlu.locales",
    "bot.nlu.language",
    "bot.nlu.entities.countries",
    "bot.nlu.entities.extract",
    "bot.nlu.intents.rules",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0
