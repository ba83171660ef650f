"""Where the lexical gate (``StoryConfig.gate_score``) stands on the SemEval-2022 Task 8 training pairs.

Clustering asks the comparison model only about pairs whose cheap lexical score
(:class:`khabar.stories.scorers.LexicalScorer`) is under ``gate_score``. For each rating band this
prints the share of pairs the gate would settle as different stories at several thresholds, on the
articles as scraped (headline and whole text) and as page openings (no headline, the first
``--opening`` characters), the form real pages come in. The threshold is chosen on the full
articles: the least at which under 1% of the pairs rated 1–2 are gated.

    python bench/gate.py [--data ../shared/data/semeval2022-task8-train.jsonl] [--opening 1200]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "semeval2022-task8-train.jsonl"
THRESHOLDS = (3.3, 3.5, 3.6, 3.7, 3.8)
BANDS = (("rated 1-1.5 (same story)", 1.0, 1.5), ("rated 1-2", 1.0, 2.0), ("rated 3-4 (different)", 3.0, 4.0))


def lexical_scores(rows: list[dict], opening: int = 0) -> np.ndarray:
    """The lexical score of each pair, with document frequencies over the pairs' own articles."""
    from khabar.analyse.analysis import analyse
    from khabar.stories.features import article_terms, compute_features
    from khabar.stories.scorers import LexicalScorer
    from khabar.types import Article

    arts = []
    for r in rows:
        for s in "12":
            text, title = (r["text" + s][:opening], "") if opening else (r["text" + s], r["title" + s])
            arts.append(Article(id=f"{r['pair_id']}-{s}", title=title, text=text, raw="", lang=r["lang"]))
    terms = [article_terms(a) for a in arts]
    df: Counter[str] = Counter()
    for t in terms:
        df.update(set(t.title_terms) | set(t.body_terms))
    feats = [compute_features(a, analyse(a).mentions if a.lang == "ar" else None, df, len(arts), None, t)
             for a, t in zip(arts, terms, strict=True)]
    return LexicalScorer().score(feats[0::2], feats[1::2])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--opening", type=int, default=1200, help="Characters of a page opening.")
    args = ap.parse_args()
    from khabar.config import DEFAULT

    with args.data.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    overall = np.array([r["gold"]["Overall"] for r in rows])
    print(f"{len(rows)} SemEval pairs; shipped gate_score {DEFAULT.gate_score}")
    for name, opening in (("full articles", 0), (f"openings ({args.opening} chars, no headline)", args.opening)):
        lex = lexical_scores(rows, opening)
        print(f"\n{name}: share of pairs gated (lexical score >= threshold)")
        print(f"  {'':<26}" + "".join(f"  >= {t:<5}" for t in THRESHOLDS))
        for label, lo, hi in BANDS:
            sel = (overall >= lo) & (overall <= hi)
            print(f"  {label:<22} n={sel.sum():<4}" + "".join(f"  {np.mean(lex[sel] >= t):7.3f}" for t in THRESHOLDS))
        if opening == 0:
            sel = overall <= 2.0
            ok = [t for t in THRESHOLDS if np.mean(lex[sel] >= t) < 0.01]
            print(f"  least threshold gating under 1% of pairs rated 1-2: {ok[0] if ok else 'none tried'}")


if __name__ == "__main__":
    main()
