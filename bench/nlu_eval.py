"""Evaluate the NLU engine on the held-out set and print the figures.

Usage::

    .venv/bin/python bench/nlu_eval.py [--eval tests/nlu/data/intent_eval.jsonl] [--errors]

Prints per-language intent accuracy, out_of_scope precision and recall, language
detection accuracy (no prior given), and the latency of ``understand`` (p50/p95 over
the set, warm). Nothing here is asserted: tests/nlu/test_accuracy.py holds the floors.

Lines with ``"batch": 2`` were written after the classifier was tuned and are also
reported on their own: the most honest figure for messages the engine has never met.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.nlu import NluEngine, detect_language  # noqa: E402

DEFAULT_EVAL = ROOT / "tests" / "nlu" / "data" / "intent_eval.jsonl"


def load_rows(path: Path) -> list[dict]:
    """Read the evaluation set (one JSON object per line: text, intent, language)."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of ``values`` (q in [0, 100])."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def evaluate(engine: NluEngine, rows: list[dict], *, with_prior: bool = False) -> dict:
    """Run the engine over ``rows`` and return the figures (see module docstring)."""
    per_language = defaultdict(lambda: [0, 0])
    language_hits = 0
    latencies: list[float] = []
    oos_tp = oos_fp = oos_fn = 0
    errors: list[tuple[str, str, str, str]] = []
    for row in rows:
        prior = row["language"] if with_prior else None
        start = time.perf_counter()
        understanding = engine.understand(row["text"], language_prior=prior)
        latencies.append((time.perf_counter() - start) * 1000)
        hit = understanding.intent == row["intent"]
        per_language[row["language"]][0] += hit
        per_language[row["language"]][1] += 1
        if not hit:
            errors.append((row["language"], row["text"], row["intent"], understanding.intent))
        language_hits += detect_language(row["text"])[0] == row["language"]
        predicted_oos = understanding.intent == "out_of_scope"
        actual_oos = row["intent"] == "out_of_scope"
        oos_tp += predicted_oos and actual_oos
        oos_fp += predicted_oos and not actual_oos
        oos_fn += actual_oos and not predicted_oos
    return {
        "accuracy": {lang: hits / total for lang, (hits, total) in per_language.items()},
        "overall": sum(h for h, _ in per_language.values()) / len(rows),
        "oos_precision": oos_tp / max(1, oos_tp + oos_fp),
        "oos_recall": oos_tp / max(1, oos_tp + oos_fn),
        "language_accuracy": language_hits / len(rows),
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
        "latency_mean_ms": statistics.fmean(latencies),
        "errors": errors,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--errors", action="store_true", help="list misclassified lines")
    parser.add_argument("--with-prior", action="store_true",
                        help="pass the true language as prior (channel hint)")
    args = parser.parse_args(argv)
    rows = load_rows(args.eval)
    engine = NluEngine()
    start = time.perf_counter()
    engine.warm()
    warm_s = time.perf_counter() - start
    figures = evaluate(engine, rows, with_prior=args.with_prior)
    fresh_rows = [row for row in rows if row.get("batch") == 2]
    fresh = evaluate(engine, fresh_rows, with_prior=args.with_prior) if fresh_rows else None
    print(f"eval set: {args.eval} ({len(rows)} lines), warm-up {warm_s:.1f} s")
    print("intent accuracy per language:")
    for language in sorted(figures["accuracy"]):
        count = sum(1 for row in rows if row["language"] == language)
        print(f"  {language}: {figures['accuracy'][language]:.1%}  (n={count})")
    print(f"  overall: {figures['overall']:.1%}")
    print(f"out_of_scope precision: {figures['oos_precision']:.1%}  "
          f"recall: {figures['oos_recall']:.1%}")
    print(f"language detection accuracy (no prior): {figures['language_accuracy']:.1%}")
    print(f"latency of understand(): p50 {figures['latency_p50_ms']:.2f} ms, "
          f"p95 {figures['latency_p95_ms']:.2f} ms, mean {figures['latency_mean_ms']:.2f} ms")
    if fresh is not None:
        print(f"batch 2 only (n={len(fresh_rows)}): overall {fresh['overall']:.1%}; "
              + ", ".join(f"{k} {v:.0%}" for k, v in sorted(fresh["accuracy"].items())))
    if args.errors:
        for language, text, expected, got in figures["errors"]:
            print(f"  [{language}] {text!r}: expected {expected}, got {got}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
