"""Measure khabar.analyse.quotes on the hand-annotated quote set (tests/data/quotes.jsonl).

Each record is an excerpt of an Arabic article from the SemEval-2022 Task 8 training set with the
statements a person annotated in it (speaker, content span, direct, stance, role, outlet).

Matching. A predicted statement matches a gold one when their content spans overlap by at least
half of their union (character Jaccard ≥ 0.5); each gold statement is matched at most once,
best overlap first. Speakers compare in matching form (arabic.normalize, quote marks and ال
dropped word by word): they agree when one's words are all among the other's (``ظريف`` ~ ``محمد
جواد ظريف``, ``المصادر`` ~ ``مصادر أمنية``), against the gold speaker or any of its listed aliases.

Figures:
  span precision/recall    matched predictions / predictions, matched gold / gold
  speaker precision/recall predictions with a matched span and an agreeing speaker / predictions,
                           and / gold (who said what, both right)
  direct, stance, outlet   accuracy over matched pairs (outlet: over gold statements that name one;
                           names agree as speakers do, so قناة العالم ~ العالم)

Splits. Records marked ``"split": "dev"`` were used while writing the rules. ``"test"`` records were
annotated afterwards and measured before any change (first run, rules only: span P/R 0.878/0.860,
speaker P/R 0.571/0.560), then looked at to fix general errors. ``"fresh"`` records were annotated
after that (first run, with a CRF trained on ANERcorp: span P/R 0.923/0.828, speaker P/R 0.923/0.828,
outlet 0.5), then three general fixes followed (؛ used as a comma, a name quote left open, a bare
ل-word taken for an outlet). Figures are printed for each split and for all.

The second set (``tests/data/quotes-fresh.jsonl``, issue 13) was annotated from articles never used
for the rules (stories-dev page openings and SemEval Arabic texts not in the first set), frozen and
measured before any rule change; its figures are printed as a separate table. First run (unchanged
rules, shipped CRF, 2026-12-01): span P/R 0.873/0.766, speaker P/R 0.727/0.637, stance 0.947, role
0.556, denied claim 0/3; after the issue-13 rules: 0.929/0.924, 0.906/0.901, 1.000, 0.773, 3/3. Its records carry
``source``/``article_id``, and each statement its ``denied`` claim (or null) besides the fields above;
its stance has three values (asserts, denies, neutral). Extra figures there:
  role accuracy            over matched gold statements that name a role: the predicted role agrees
                           (word subset, as speakers)
  denied-claim match       over matched gold denials that name the claim: the predicted claim
                           overlaps it by half (character Jaccard ≥ 0.5 of the two strings' words)

Mentions come from khabar.analyse.entities.extract: the shipped CRF (when its model is there) plus the rule
repairs; ``--rules-only`` leaves the CRF out, ``--model FILE`` uses another CRF model file.

Run: python bench/quotes.py [--gold tests/data/quotes.jsonl] [--fresh tests/data/quotes-fresh.jsonl]
                           [--split dev|test|fresh] [--rules-only] [--model FILE] [--show] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from khabar.analyse import entities, quotes
from khabar.text.arabic import normalize

GOLD = Path(__file__).resolve().parent.parent / "tests" / "data" / "quotes.jsonl"
FRESH = GOLD.with_name("quotes-fresh.jsonl")


def speaker_words(s: str | None) -> set[str]:
    """Words of a speaker name in matching form, without quote marks or ال."""
    if not s:
        return set()
    out = set()
    for w in normalize(s).replace('"', " ").replace("'", " ").split():
        w = w.strip("()،,")
        if w.startswith("ال") and len(w) > 4:
            w = w[2:]
        if w:
            out.add(w)
    return out


def same_speaker(pred: str | None, gold: dict) -> bool:
    p = speaker_words(pred)
    if not p:
        return False
    for name in [gold["speaker"], *gold.get("aliases", [])]:
        g = speaker_words(name)
        if g and (p <= g or g <= p):
            return True
    return False


def same_words(a: str | None, b: str | None) -> bool:
    """Two names or roles agree: one's words are all among the other's (matching form)."""
    p, g = speaker_words(a), speaker_words(b)
    return bool(p and g and (p <= g or g <= p))


def claim_match(pred: str | None, gold: str) -> bool:
    """A predicted denied claim matches the gold one: word Jaccard ≥ 0.5 in matching form."""
    p, g = speaker_words(pred), speaker_words(gold)
    return bool(p and g) and len(p & g) / len(p | g) >= 0.5


def overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


def match(pred: list, gold: list[dict]) -> list[tuple[int, int]]:
    """Pairs (pred index, gold index), best overlap first, each side used once, overlap ≥ 0.5."""
    cands = []
    for i, p in enumerate(pred):
        for j, g in enumerate(gold):
            o = overlap((p.start, p.end), (g["start"], g["end"]))
            if o >= 0.5:
                cands.append((o, i, j))
    used_p, used_g, pairs = set(), set(), []
    for _, i, j in sorted(cands, reverse=True):
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            pairs.append((i, j))
    return pairs


def evaluate(records: list[dict], tagger=None, show: bool = False) -> dict:
    n_pred = n_gold = n_span = n_spk = 0
    n_dir = n_stance = n_out = n_out_gold = 0
    n_role = n_role_gold = n_claim = n_claim_gold = 0
    for rec in records:
        text = rec["excerpt"]
        ms = entities.extract(text, tagger)
        pred = quotes.extract(text, ms)
        gold = rec["statements"]
        pairs = match(pred, gold)
        n_pred += len(pred)
        n_gold += len(gold)
        n_span += len(pairs)
        by_gold = {j: i for i, j in pairs}
        for i, j in pairs:
            p, g = pred[i], gold[j]
            n_spk += same_speaker(p.speaker, g)
            n_dir += p.direct == g["direct"]
            n_stance += p.stance == g["stance"]
            if g.get("role"):
                n_role_gold += 1
                n_role += same_words(p.role, g["role"])
            if g.get("denied"):
                n_claim_gold += 1
                n_claim += claim_match(getattr(p, "claim", None), g["denied"])
        for j, g in enumerate(gold):
            if g.get("outlet"):
                n_out_gold += 1
                i = by_gold.get(j)
                if i is not None and same_words(pred[i].outlet, g["outlet"]):
                    n_out += 1
        if show:
            print(f"== {rec['pair_id']}/{rec['which']}")
            for j, g in enumerate(gold):
                i = by_gold.get(j)
                if i is None:
                    print(f"  MISS  {g['speaker']} | {g['text'][:70]}")
                    continue
                p = pred[i]
                flags = []
                if not same_speaker(p.speaker, g):
                    flags.append(f"speaker {p.speaker!r}")
                if p.stance != g["stance"]:
                    flags.append(f"stance {p.stance}")
                if g.get("role") and not same_words(p.role, g["role"]):
                    flags.append(f"role {p.role!r}")
                if p.direct != g["direct"]:
                    flags.append(f"direct {p.direct}")
                if flags:
                    print(f"  DIFF  {g['speaker']} | {g['text'][:50]} :: {'; '.join(flags)}")
            matched_p = {i for i, _ in pairs}
            for i, p in enumerate(pred):
                if i not in matched_p:
                    print(f"  EXTRA {p.speaker} | {p.verb} | {p.text[:70]}")

    def ratio(a: int, b: int) -> float:
        return a / b if b else 0.0

    return {
        "excerpts": len(records),
        "gold": n_gold,
        "predicted": n_pred,
        "span_matched": n_span,
        "span_precision": ratio(n_span, n_pred),
        "span_recall": ratio(n_span, n_gold),
        "speaker_precision": ratio(n_spk, n_pred),
        "speaker_recall": ratio(n_spk, n_gold),
        "direct_accuracy": ratio(n_dir, n_span),
        "stance_accuracy": ratio(n_stance, n_span),
        "outlet_recall": ratio(n_out, n_out_gold),
        "outlet_gold": n_out_gold,
        "role_accuracy": ratio(n_role, n_role_gold),
        "role_gold": n_role_gold,
        "claim_match": ratio(n_claim, n_claim_gold),
        "claim_gold": n_claim_gold,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", type=Path, default=GOLD)
    ap.add_argument("--fresh", type=Path, default=FRESH, help="the second, frozen set (issue 13)")
    ap.add_argument("--rules-only", action="store_true", help="no NER tagger: rule mentions only")
    ap.add_argument("--model", type=Path, help="a CRF model file instead of the shipped one")
    ap.add_argument("--show", action="store_true", help="print misses, extras and disagreements")
    ap.add_argument("--split", choices=("dev", "test", "fresh"), help="only this split")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    records = [json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    fresh = []
    if args.fresh.exists():
        fresh = [json.loads(line) for line in args.fresh.read_text(encoding="utf-8").splitlines() if line.strip()]
    tagger = entities.NullTagger() if args.rules_only else None
    if args.model:
        from khabar.analyse.ner import NerTagger

        tagger = NerTagger.load(args.model)
    splits = [args.split] if args.split else ["dev", "test", "fresh", "all"]
    results = {}
    t_all = time.process_time()
    for split in splits:
        recs = [r for r in records if split == "all" or r.get("split", "dev") == split]
        t0 = time.process_time()
        res = evaluate(recs, tagger, args.show and split != "all")
        res["cpu_seconds"] = round(time.process_time() - t0, 2)
        results[split] = res
    second = {}
    if fresh and not args.split:
        t0 = time.process_time()
        second = evaluate(fresh, tagger, args.show)
        second["cpu_seconds"] = round(time.process_time() - t0, 2)
    if args.json:
        print(json.dumps({"quotes": results, "fresh_set": second}, indent=2))
        return 0
    keys = ("span_precision", "span_recall", "speaker_precision", "speaker_recall",
            "direct_accuracy", "stance_accuracy", "outlet_recall", "role_accuracy")
    print(f"{args.gold.name}")
    print(f"{'':18} " + " ".join(f"{s:>7}" for s in splits))
    for k in ("excerpts", "gold", "predicted", "span_matched"):
        print(f"{k:18} " + " ".join(f"{results[s][k]:>7}" for s in splits))
    for k in keys:
        print(f"{k:18} " + " ".join(f"{results[s][k]:>7.3f}" for s in splits))
    if second:
        print(f"\n{args.fresh.name} (frozen before the rules were tuned on it)")
        for k in ("excerpts", "gold", "predicted", "span_matched", "role_gold", "claim_gold", "outlet_gold"):
            print(f"{k:18} {second[k]:>7}")
        for k in (*keys, "claim_match"):
            print(f"{k:18} {second[k]:>7.3f}")
    print(f"\ncpu seconds        {time.process_time() - t_all:>7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
