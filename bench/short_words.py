"""Rebuild ``khabar/data/short_words_ar.txt``: three-letter Arabic words seen on their own >= 3 times.

The clitic splitter (:func:`khabar.text.arabic.split_clitics`) cuts ب/ك/ل/و/ف off a word only when
a three-letter stem left behind is one of these, so a name is not eaten (كابل is not ك + ابل).
Counts run over ANERcorp's train split and the Arabic texts of ``../shared/data``.

    python bench/short_words.py [--min-count 3]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
OUT = ROOT / "khabar" / "data" / "short_words_ar.txt"
HEADER = """\
# Three-letter Arabic words (matching form) seen on their own at least 3 times in ANERcorp's train split
# (CC BY-SA 4.0, Benajiba & Rosso 2008 / CAMeL Lab), the SemEval-2022 Task 8 Arabic texts and the
# stories-dev pages. khabar.text.arabic.split_clitics cuts a proclitic off a word only when a stem of
# three letters left behind is one of these (بشكل = ب + شكل, but كابل is not ك + ابل).
# Rebuilt by: python bench/short_words.py
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--min-count", type=int, default=3)
    args = ap.parse_args()
    from khabar.analyse.conll import read_conll
    from khabar.text.arabic import normalize, tokenize

    counts: Counter[str] = Counter()
    X, _y = read_conll(SHARED / "anercorp-train.conll")
    counts.update(normalize(t) for s in X for t in s)
    texts: list[str] = []
    for line in (SHARED / "semeval2022-task8-train.jsonl").open(encoding="utf-8"):
        d = json.loads(line)
        if d["lang"] == "ar":
            texts += [d["title1"] or "", d["text1"] or "", d["title2"] or "", d["text2"] or ""]
    for line in (SHARED / "stories-dev.jsonl").open(encoding="utf-8"):
        d = json.loads(line)
        texts += [d["title"] or "", d["text"] or ""]
    for t in texts:
        counts.update(normalize(tok.text) for tok in tokenize(t))
    words = sorted(
        w for w, n in counts.items()
        if len(w) == 3 and n >= args.min_count and all("\u0621" <= c <= "\u064a" for c in w)
    )
    OUT.write_text(HEADER + "\n".join(words) + "\n", encoding="utf-8")
    print(f"wrote {OUT}: {len(words)} words")


if __name__ == "__main__":
    main()
