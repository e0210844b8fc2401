"""Shared fixtures: one warmed engine per test session (training takes a few seconds)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from bot.nlu import NluEngine

EVAL_FILE = Path(__file__).parent / "data" / "intent_eval.jsonl"
# A Thursday: "next Monday" is 2026-11-30, "下周一" the same day.
TODAY = dt.date(2026, 11, 26)


@pytest.fixture(scope="session")
def engine() -> NluEngine:
    engine = NluEngine()
    engine.warm()
    return engine


@pytest.fixture(scope="session")
def eval_rows() -> list[dict]:
    with EVAL_FILE.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@pytest.fixture
def today() -> dt.date:
    return TODAY
