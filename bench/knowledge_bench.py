"""Benchmark the knowledge engine: index build time, query and classify latency.

Usage::

    .venv/bin/python bench/knowledge_bench.py [--data-dir DIR] [--keep] [--rounds 3]

1. Builds the whole index (regulations, HS + CN + aliases, location hubs) from scratch in
   a fresh directory and prints wall time and process CPU time, per collection too.
2. Runs the incremental build again (nothing changed: nothing is re-embedded).
3. After a warm-up, times ``search`` (hybrid retrieval), ``answer`` (retrieval of whole
   articles + sentence selection) over the QA questions, and ``classify`` over the HS
   evaluation descriptions, ``--rounds`` times each, and prints p50/p95/max.

Targets (2 cores): build < 60 s, search p95 < 30 ms, classify p95 < 50 ms. The 1-minute
load average is printed first and last, because other processes on the machine inflate
wall times; CPU time is the figure that does not depend on them.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.service import KnowledgeService  # noqa: E402

EVAL_DIR = ROOT / "knowledge" / "eval"


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _timed(fn, inputs, rounds) -> np.ndarray:
    out = []
    for _ in range(rounds):
        for args in inputs:
            t = time.perf_counter()
            fn(*args)
            out.append((time.perf_counter() - t) * 1000)
    return np.array(out)


def _row(name: str, ms: np.ndarray, target: float | None) -> None:
    p95 = float(np.percentile(ms, 95))
    verdict = "" if target is None else ("  OK" if p95 < target else f"  OVER target {target:.0f} ms")
    print(f"  {name:9s} n={len(ms):4d}  p50 {np.percentile(ms, 50):6.1f} ms  p95 {p95:6.1f} ms"
          f"  max {ms.max():6.1f} ms{verdict}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=None, help="default: a fresh temporary directory")
    ap.add_argument("--keep", action="store_true", help="keep the built index")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="tradebot-kbench-"))
    if data_dir.exists() and any(data_dir.iterdir()):
        shutil.rmtree(data_dir)
    print(f"cores: {os.cpu_count()}  load average (1 min): {os.getloadavg()[0]:.2f}")

    svc = KnowledgeService(data_dir)
    marks: dict[str, tuple[float, float]] = {}

    def progress(name: str, done: int, total: int) -> None:
        if done == 0:
            marks[name] = (time.perf_counter(), _cpu())
        if done == total:
            t0, c0 = marks[name]
            print(f"  {name:12s} {total:6d} docs  {time.perf_counter() - t0:6.1f} s wall  {_cpu() - c0:6.1f} s cpu")

    print("Full build (fresh directory):")
    t0, c0 = time.perf_counter(), _cpu()
    stats = svc.ensure_index(progress=progress)
    wall, cpu = time.perf_counter() - t0, _cpu() - c0
    print(f"  total {stats.embedded} documents: {wall:.1f} s wall, {cpu:.1f} s cpu "
          f"(target < 60 s){'  OK' if wall < 60 else '  OVER'}")

    t0 = time.perf_counter()
    again = svc.index.build()
    print(f"Incremental build, nothing changed: {time.perf_counter() - t0:.1f} s, {again.embedded} re-embedded")

    t0 = time.perf_counter()
    svc.warm_up()
    print(f"Warm-up (load collections, BM25, classifier): {time.perf_counter() - t0:.1f} s")

    qa = [(q["question"], q["language"]) for q in _jsonl(EVAL_DIR / "qa.jsonl")]
    hs = [(i["text"], 5, i["language"]) for i in _jsonl(EVAL_DIR / "hs.jsonl")]
    for q, lang in qa:  # warm the sentence-embedding cache once, as a running bot would
        svc.answer(q, lang)
    print("Latency after warm-up:")
    _row("search", _timed(lambda q, lang: svc.search(q, lang, 5), qa, args.rounds), 30)
    _row("answer", _timed(svc.answer, qa, args.rounds), None)
    _row("classify", _timed(svc.classify, hs, args.rounds), 50)
    print(f"load average (1 min): {os.getloadavg()[0]:.2f}")
    if not args.keep and args.data_dir is None:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
