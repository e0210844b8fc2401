"""Evaluate the knowledge engine: HS classifier accuracy and QA hit rate per language.

Usage::

    .venv/bin/python bench/knowledge_eval.py [--data-dir DIR] [--errors] [--baselines]

Builds (or reuses) the full index in ``--data-dir`` (default: ``tradebot-bench-knowledge``
in the system temp folder), then prints:

* HS heading accuracy top-1/top-3 per language on ``knowledge/eval/hs.jsonl`` (our own
  set), the mean top-1 score next to the top-1 accuracy (calibration), and the share of
  results flagged ambiguous;
* with ``--baselines``: the same for a naive dense search over HS/CN descriptions only
  (no aliases, no BM25) and for our classifier without CN wording or without aliases;
* QA hit rate per language on ``knowledge/eval/qa.jsonl``: the share of questions whose
  answer contains every ``must_contain`` fact (a list = any of the alternatives,
  case-insensitive) and cites a source; no-answer counts; how many answers have a
  structured part (Incoterms/document data rendered in the user's language) and how
  many quote English text for a de/zh/es/fr user ("English fallback"); and how many
  off-topic questions (``knowledge/eval/offtopic.jsonl``) wrongly got an answer.

Nothing is asserted here; the figures go into knowledge/README.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.classifier import HsClassifier  # noqa: E402
from knowledge.service import KnowledgeService  # noqa: E402

EVAL_DIR = ROOT / "knowledge" / "eval"
LANGS = ("en", "de", "zh", "es", "fr")


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _has(text: str, fact) -> bool:
    alts = fact if isinstance(fact, list) else [fact]
    return any(str(a).lower() in text.lower() for a in alts)


def eval_hs(classify, items, errors=False, label="classifier"):
    stats = defaultdict(lambda: {"n": 0, "top1": 0, "top3": 0, "conf": 0.0, "amb": 0})
    for it in items:
        result = classify(it["text"], it["language"])
        heads = [c.heading for c in result.candidates]
        s = stats[it["language"]]
        s["n"] += 1
        s["top1"] += heads[:1] == [it["heading"]]
        s["top3"] += it["heading"] in heads[:3]
        s["conf"] += result.candidates[0].score if result.candidates else 0.0
        s["amb"] += bool(result.ambiguous)
        if errors and heads[:1] != [it["heading"]]:
            got = ", ".join(f"{c.heading}:{c.score:.2f}" for c in result.candidates[:3])
            print(f"  miss {it['id']} {it['text']!r} want {it['heading']} got {got}")
    print(f"HS heading accuracy ({label})")
    print("  lang    n   top-1   top-3   mean top-1 score   ambiguous")
    total = {"n": 0, "top1": 0, "top3": 0}
    for lang in LANGS:
        s = stats[lang]
        if not s["n"]:
            continue
        for k in total:
            total[k] += s[k]
        print(f"  {lang}   {s['n']:4d}  {s['top1'] / s['n']:6.1%}  {s['top3'] / s['n']:6.1%}"
              f"   {s['conf'] / s['n']:8.2f}          {s['amb'] / s['n']:6.1%}")
    print(f"  all  {total['n']:4d}  {total['top1'] / total['n']:6.1%}  {total['top3'] / total['n']:6.1%}")


def baselines(svc: KnowledgeService, items):
    clf = svc._get_classifier()
    docs, vecs, emb = clf._docs, clf._vectors, clf._embedder

    class _Naive:
        def __init__(self, keep):
            self.idx = [i for i, d in enumerate(docs) if keep(d)]
            self.heads = [docs[i].heading for i in self.idx]
            self.m = vecs[self.idx]

        def __call__(self, text, lang):
            from knowledge.classifier import Candidate, ClassifyResult

            sims = self.m @ emb.embed_one(text)
            best: dict[str, float] = {}
            for i in np.argsort(-sims):
                best.setdefault(self.heads[i], float(sims[i]))
                if len(best) >= 3:
                    break
            return ClassifyResult(text, [Candidate(h + "00", h, "", s) for h, s in best.items()])

    eval_hs(_Naive(lambda d: d.kind in ("heading", "subheading")), items, label="naive dense over HS descriptions")
    eval_hs(_Naive(lambda d: d.kind != "alias"), items, label="naive dense over HS + CN descriptions")
    for drop in ("cn", "alias"):
        keep = [i for i, d in enumerate(docs) if d.kind != drop]
        sub = HsClassifier([docs[i] for i in keep], vecs[keep], emb)
        eval_hs(lambda t, lang: sub.classify(t, 3, lang), items, label=f"classifier without {drop} documents")


def eval_qa(svc: KnowledgeService, errors=False, path: Path = EVAL_DIR / "qa.jsonl", offtopic: bool = True):
    qa = _jsonl(path)
    stats = defaultdict(lambda: {"n": 0, "hit": 0, "none": 0, "chars": 0, "structured": 0, "english": 0})
    for q in qa:
        ans = svc.answer(q["question"], q["language"])
        s = stats[q["language"]]
        s["n"] += 1
        ok = ans is not None and bool(ans.sources) and all(_has(ans.text, f) for f in q["must_contain"])
        s["hit"] += ok
        s["none"] += ans is None
        s["chars"] += len(ans.text) if ans else 0
        s["structured"] += bool(ans and getattr(ans, "structured", ""))
        s["english"] += bool(ans and ans.fallback_language)
        if errors and not ok:
            missing = "no answer" if ans is None else [f for f in q["must_contain"] if not _has(ans.text, f)]
            cited = [x["id"] for x in ans.sources] if ans else []
            print(f"  miss {q['id']} {q['question']!r} missing {missing} cited {cited} want {q['article_ids']}")
    print(f"QA hit rate on {path.name} (answer contains every must_contain fact and cites a source)")
    print("  lang    n   hit rate   no answer   mean answer chars   structured   English fallback")
    tn = th = 0
    for lang in LANGS:
        s = stats[lang]
        if not s["n"]:
            continue
        tn, th = tn + s["n"], th + s["hit"]
        answered = max(1, s["n"] - s["none"])
        print(f"  {lang}   {s['n']:4d}   {s['hit'] / s['n']:6.1%}   {s['none']:5d}       {s['chars'] // answered:6d}"
              f"        {s['structured']:5d}        {s['english']:5d}")
    print(f"  all  {tn:4d}   {th / tn:6.1%}")
    if not offtopic:
        return
    off = _jsonl(EVAL_DIR / "offtopic.jsonl")
    wrong = [o for o in off if svc.answer(o["question"], o["language"]) is not None]
    print(f"Off-topic questions answered (should be 0): {len(wrong)}/{len(off)}")
    for o in wrong:
        print(f"  answered {o['id']} {o['question']!r}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "tradebot-bench-knowledge")
    ap.add_argument("--embedder", default="default")
    ap.add_argument("--errors", action="store_true", help="print every miss")
    ap.add_argument("--baselines", action="store_true", help="also evaluate ablations and naive dense search")
    ap.add_argument("--qa-only", action="store_true", help="skip the HS evaluation")
    ap.add_argument("--holdout", action="store_true",
                    help="also the held-out sets (qa_holdout.jsonl, qa_blind.jsonl, hs_blind.jsonl, "
                         "hs_blind2.jsonl: written apart, not tuned on)")
    args = ap.parse_args()
    svc = KnowledgeService(args.data_dir, embedder_name=args.embedder)
    stats = svc.ensure_index(progress=None)
    if stats:
        print(f"index built in {stats.seconds:.1f}s ({stats.embedded} documents embedded)")
    if not args.qa_only:
        items = _jsonl(EVAL_DIR / "hs.jsonl")
        eval_hs(lambda t, lang: svc.classify(t, top=5, language=lang), items, args.errors)
        if args.baselines:
            baselines(svc, items)
        if args.holdout:
            for name in ("hs_blind.jsonl", "hs_blind2.jsonl"):
                eval_hs(lambda t, lang: svc.classify(t, top=5, language=lang), _jsonl(EVAL_DIR / name), args.errors,
                        label=f"classifier, {name}")
    eval_qa(svc, args.errors)
    if args.holdout:
        eval_qa(svc, args.errors, EVAL_DIR / "qa_holdout.jsonl", offtopic=False)
        eval_qa(svc, args.errors, EVAL_DIR / "qa_blind.jsonl", offtopic=False)


if __name__ == "__main__":
    main()
