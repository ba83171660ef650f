"""The NER features' fast paths against plain reference versions of the same definitions.

Tagging must stay bit-identical (the same attributes in the same order: CRFsuite sums weights in
that order), so the cached, fused builders of :mod:`khabar.analyse.ner_features` and the pre-checks
of :mod:`khabar.analyse.propagate` are checked here against straightforward re-statements of what
they compute, on real news text and on edge cases.
"""

from __future__ import annotations

import json
import random
from collections import Counter

import pytest

from khabar.analyse import ner_features as nf
from khabar.analyse.conll import entities, read_conll
from khabar.analyse.gazetteer import load_gazetteer
from khabar.analyse.ner import MODEL_PATH, _bare, load_tagger
from khabar.analyse.propagate import propagate
from khabar.text.arabic import STOPWORDS, sentences, tokenize

needs_model = pytest.mark.skipif(not MODEL_PATH.exists(), reason=f"shipped model absent: {MODEL_PATH}")

EDGE = [
    "وروسيا", "بالقاهرة", "الرئيس", "فرويد", "«", "»", '"', "'", "(", ")", "[", "]", "2019", "١٩٩٨",
    "Reuters", "reuters", "COVID-19", "x", "و", "في", "الـ", "ـ", "a=b", "=", "…", "،", "ab3", "١٢abc",
    "مُحَمَّد", "ﻻ", "هونج", "كونج", "الولايات", "المتحدة", "الأمريكية", "جيش", "الإسلام",
]  # fmt: skip


# --- reference definitions (the features as first written, one string at a time) -----------------


def ref_word(tok: str) -> list[str]:
    n, st, bare, clitics, gz, trig = nf._analyse(tok)
    f = ["b", "w=" + n, "st=" + st]
    if bare != n:
        f += ["cl=" + bare, "pre=" + "+".join(clitics)]
    for k in (1, 2, 3):
        if len(bare) > k:
            f += [f"p{k}=" + bare[:k], f"s{k}=" + bare[-k:]]
    if bare.startswith("ال"):
        f.append("al")
    f.append(f"len={min(len(bare), 8)}")
    f += nf._shape(n)
    if n.isascii() and tok[:1].isalpha():
        f.append("lcap" if tok[0].isupper() else "llow")
    if n in STOPWORDS or bare in STOPWORDS:
        f.append("stop")
    return f + ["gz=" + g for g in gz] + ["tr=" + t for t in trig]


def ref_context(tok: str, off: int) -> list[str]:
    n, st, bare, _c, gz, trig = nf._analyse(tok)
    p = f"{off}:"
    f = [p + "w=" + n, p + "st=" + st]
    if off in (-1, 1):
        if bare != n:
            f.append(p + "cl=" + bare)
        f += [p + s for s in nf._shape(n)] + [p + "gz=" + g for g in gz] + [p + "tr=" + t for t in trig]
        if n in STOPWORDS or bare in STOPWORDS:
            f.append(p + "stop")
    else:
        f += [p + "tr=" + t for t in trig]
    return f


def ref_document(sents: list[list[str]]) -> list[list[list[str]]]:
    """Every feature of every token, built token by token (no caches, no shortcuts)."""
    out = []
    for toks in sents:
        n_tok = len(toks)
        norms = [nf._analyse(t)[0] for t in toks]
        spans: list[list[str]] = [[] for _ in toks]
        for label, a, b in load_gazetteer().match_normalized(norms):
            spans[a].append("gzm=B-" + label)
            spans[a + 1 : b] = [s + ["gzm=I-" + label] for s in spans[a + 1 : b]]
        rows, in_quote, depth = [], False, 0
        for i, tok in enumerate(toks):
            f = ref_word(tok)
            f += ref_context(toks[i - 2], -2) if i >= 2 else []
            f += ref_context(toks[i - 1], -1) if i >= 1 else ["BOS"]
            f += ref_context(toks[i + 1], 1) if i + 1 < n_tok else ["EOS"]
            f += ref_context(toks[i + 2], 2) if i + 2 < n_tok else []
            f += spans[i]
            f += ["-1:" + s for s in spans[i - 1]] if i > 0 else []
            f += ["1:" + s for s in spans[i + 1]] if i + 1 < n_tok else []
            n = norms[i]
            if n in nf._QUOTES:
                in_quote = not in_quote
            elif n in nf._OPEN:
                depth += 1
            elif n in nf._CLOSE:
                depth = max(0, depth - 1)
            else:
                f += (["inq"] if in_quote else []) + (["inbr"] if depth else [])
            rows.append(f)
        out.append(rows)

    def key(tok: str) -> str:
        n, _s, bare, *_ = nf._analyse(tok)
        ok = (
            len(bare) >= 2 and n not in STOPWORDS and bare not in STOPWORDS and any(c.isalpha() for c in bare)
        )
        return bare if ok else ""

    occ: dict[str, list[tuple[int, int]]] = {}
    for si, toks in enumerate(sents):
        for ti, t in enumerate(toks):
            if key(t):
                occ.setdefault(key(t), []).append((si, ti))
    for places in occ.values():
        if len(places) < 2:
            continue
        left: list[str] = []
        right: list[str] = []
        trig: set[str] = set()
        for si, ti in places:
            toks = sents[si]
            if ti > 0 and _bare(toks[ti - 1]) not in left:
                left.append(_bare(toks[ti - 1]))
            if ti + 1 < len(toks) and _bare(toks[ti + 1]) not in right:
                right.append(_bare(toks[ti + 1]))
            for j in (ti - 2, ti - 1):
                if j >= 0:
                    trig.update(nf._analyse(toks[j])[5])
        extra = (
            ["dL=" + w for w in left[:8]]
            + ["dR=" + w for w in right[:8]]
            + ["dTr=" + t for t in sorted(trig)]
        )
        for si, ti in places:
            out[si][ti] += extra
    return out


def ref_propagate(sents, tags, bare):
    """:func:`propagate` as first written: every start position, every name length."""
    out = [list(t) for t in tags]
    names: dict[tuple[str, ...], Counter[str]] = {}
    for toks, tg in zip(sents, out, strict=True):
        for typ, a, b in entities(tg):
            key = tuple(bare(t) for t in toks[a:b])
            if len(key) > 8 or (len(key) == 1 and (len(key[0]) < 3 or key[0] in STOPWORDS)):
                continue
            names.setdefault(key, Counter())[typ] += 1
            if typ == "PERS" and len(key) >= 2 and len(key[-1]) >= 3 and key[-1] not in STOPWORDS:
                names.setdefault((key[-1],), Counter())["PERS"] += 1
    if not names:
        return out
    for toks, tg in zip(sents, out, strict=True):
        for typ, a, b in entities(tg):
            votes = names.get(tuple(bare(t) for t in toks[a:b]))
            if votes and (best := votes.most_common(1)[0])[1] > votes[typ] and best[0] != typ:
                tg[a:b] = ["B-" + best[0]] + ["I-" + best[0]] * (b - a - 1)
    longest = max(map(len, names))
    for toks, tg in zip(sents, out, strict=True):
        words = [bare(t) for t in toks]
        i = 0
        while i < len(toks):
            for n in range(min(longest, len(toks) - i), 0, -1):
                key = tuple(words[i : i + n])
                if key in names and all(t == "O" for t in tg[i : i + n]):
                    typ = names[key].most_common(1)[0][0]
                    tg[i : i + n] = ["B-" + typ] + ["I-" + typ] * (n - 1)
                    i += n
                    break
            else:
                i += 1
    return out


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def news_docs(shared_data) -> list[list[list[str]]]:
    """Documents of real text: ANERcorp (50-sentence runs, as the tagger reads it) and SemEval articles."""
    docs = []
    path = shared_data / "anercorp-train.conll"
    if path.is_file():
        X, _y = read_conll(path)
        docs += [X[a : a + 50] for a in range(0, 600, 50)]
    path = shared_data / "semeval2022-task8-train.jsonl"
    if path.is_file():
        for line in path.open(encoding="utf-8").readlines()[:40]:
            pair = json.loads(line)
            if pair["lang"] == "ar":
                t = pair["text1"]
                docs.append(
                    [[k.text for k in ts] for a, b in sentences(t) if (ts := tokenize(t[a:b], punct=True))]
                )
    if not docs:
        pytest.skip("no shared text data")
    return docs


# --- tests ---------------------------------------------------------------------------------------


def test_word_and_context_features_match_their_definition(news_docs):
    toks = list(dict.fromkeys([*EDGE, *(t for d in news_docs[:3] for s in d for t in s)]))
    for t in toks:
        assert list(nf._word_features(t)) == ref_word(t), t
        for off in nf._CTX:
            assert list(nf._context_features(t, off)) == ref_context(t, off), (t, off)


def test_document_features_match_the_token_by_token_definition(news_docs):
    edge_doc = [[], ["«", "قال", "»", "(", "جيش", "الإسلام", ")", "EOF"], [], ["جيش", "الإسلام"], ["x"]]
    for doc in [edge_doc, *news_docs]:
        assert nf.document_features(doc) == ref_document(doc)
    assert nf.document_features([]) == []


@needs_model
def test_kept_features_are_the_known_ones_in_order(news_docs):
    kept = load_tagger()._kept()
    for doc in [[["«", "قال", "»", "(", "x", ")"]], *news_docs[:6]]:
        full = nf.document_features(doc)
        fast = nf._document(doc, kept)
        assert [[[a.decode() for a in row] for row in s] for s in fast] == [
            [[a for a in row if a in kept.attrs] for row in s] for s in full
        ]
        assert all(isinstance(a, bytes) for s in fast for row in s for a in row)


@needs_model
def test_model_attributes_read_from_the_file_are_what_the_dump_lists():
    tagger = load_tagger()
    attrs = nf.model_attributes(tagger.model_)
    assert attrs is not None and len(attrs) == len(set(attrs))
    assert set(attrs) == {a for a, _label in tagger._require().info().state_features}
    assert nf.model_attributes(b"not a model") is None
    assert nf.model_attributes(tagger.model_[:100]) is None  # truncated: no crash, no guess


def test_propagate_matches_its_definition_on_random_documents():
    rng = random.Random(7)
    vocab = ["قال", "حمزة", "بيرقدار", "وبيرقدار", "جيش", "الإسلام", "أمس", "في", "و", "ab", "abcd", "x"]
    tagset = ["B-PERS", "I-PERS", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "I-MISC", "B-MISC"]
    for trial in range(3000):
        sents = [[rng.choice(vocab) for _ in range(rng.randint(0, 12))] for _ in range(rng.randint(1, 5))]
        tags = [[rng.choice(tagset) if rng.random() < 0.3 else "O" for _ in s] for s in sents]
        bare = _bare if trial % 2 else (lambda t: t.removeprefix("و"))
        assert propagate(sents, tags, bare) == ref_propagate(sents, tags, bare), (sents, tags)
    with pytest.raises(ValueError, match="sentences"):
        propagate([["a"]], [], _bare)
