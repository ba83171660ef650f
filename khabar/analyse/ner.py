"""Statistical Arabic named-entity tagger: a linear-chain CRF (CRFsuite) over hand-built features.

Tags PERS, LOC, ORG and MISC in BIO form. Trained on ANERcorp (Benajiba & Rosso 2008, CAMeL Lab's
train split, CC BY-SA 4.0); the shipped model is ``khabar/models/ner.crfsuite``, produced by
``khabar train ner anercorp-train.conll``.

Features per token: the word in matching form, its 1-3 letter prefixes and suffixes, light stem,
clitic-stripped form and proclitics, shape (digits, Latin, punctuation, quote mark), stopword flag,
gazetteer hits (countries, nationalities, places, orgs, first names, currencies; one- and
multi-word), trigger words (titles such as الرئيس، head nouns such as وزارة), whether it sits inside
quotes or brackets, and the words two either side (normalized and stemmed) with their list hits.
Across sentences of one document (an article; ``doc_size`` sentences of a CoNLL stream), a word that
recurs also gets the neighbours and triggers of its other occurrences (:func:`document_features`).
After tagging, a document's names are copied onto their untagged repeats
(:mod:`khabar.analyse.propagate`). Per-word features are cached.
"""

from __future__ import annotations

import os
import tempfile
import unicodedata
from collections.abc import Callable, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pycrfsuite

from khabar.analyse.conll import (
    PRF,
    Scores,
    add_unseen_recall,
    contiguous_folds,
    entities,
    entity_keys,
    score,
)
from khabar.analyse.decode import decode
from khabar.analyse.gazetteer import load_gazetteer, triggers
from khabar.analyse.propagate import propagate
from khabar.text.arabic import STOPWORDS, normalize, sentences, split_clitics, stem, tokenize
from khabar.types import Mention

__all__ = [
    "MODEL_PATH",
    "NerTagger",
    "cross_validate",
    "document_features",
    "load_tagger",
    "sentence_features",
]

MODEL_PATH = Path(str(resources.files("khabar") / "models" / "ner.crfsuite"))

_QUOTES = frozenset("\"'")  # after normalize every quote mark («» “” ‘’) is one of these
_OPEN = frozenset("([{")
_CLOSE = frozenset(")]}")
_CTX = (-2, -1, 1, 2)
# Decoding penalty on O (log units). 0 = plain Viterbi: on 5-fold CV of ANERcorp train, 0.5 / 1.0 /
# 1.5 raise recall (0.652 -> 0.663 / 0.674 / 0.682) but cost as much precision (F1 0.727 -> 0.727 /
# 0.726 / 0.721), and less after propagation; kept as a knob (khabar eval ner --o-penalty).
O_PENALTY = 0.0


# --- per-word features (cached) ------------------------------------------------------------------


@lru_cache(maxsize=100_000)
def _shape(n: str) -> tuple[str, ...]:
    if not n:
        return ("empty",)
    out = []
    if n.isdigit():
        out.append("num")
    elif any(c.isdigit() for c in n):
        out.append("hasdig")
    if n.isascii() and any(c.isalpha() for c in n):
        out.append("latin")
    if not any(c.isalnum() for c in n):
        out.append("punct")
        if n in _QUOTES:
            out.append("quote")
    return tuple(out)


@lru_cache(maxsize=1)
def _trigger_index() -> dict[str, tuple[str, ...]]:
    idx: dict[str, list[str]] = {}
    for typ, words in triggers().items():
        for w in words:
            idx.setdefault(w, []).append(typ)
    return {w: tuple(sorted(ts)) for w, ts in idx.items()}


@lru_cache(maxsize=300_000)
def _analyse(tok: str) -> tuple[str, str, str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(normalized, stem, clitic-stripped, proclitics, list labels, trigger types) of one raw token."""
    n = normalize(tok)
    parts = split_clitics(n) if n and "\u0621" <= n[0] <= "\u064a" else [n]
    bare = parts[-1]
    st = stem(bare) if bare and "\u0621" <= bare[0] <= "\u064a" else bare
    gz = tuple(sorted(load_gazetteer().lookup(tok))) if n else ()
    tidx = _trigger_index()
    trig = tidx.get(n) or tidx.get(bare) or ()
    return n, st, bare, tuple(parts[:-1]), gz, trig


@lru_cache(maxsize=300_000)
def _word_features(tok: str) -> tuple[str, ...]:
    """Features of a token about itself."""
    n, st, bare, clitics, gz, trig = _analyse(tok)
    f = ["b", "w=" + n, "st=" + st]
    if bare != n:
        f.append("cl=" + bare)
        f.append("pre=" + "+".join(clitics))
    for k in (1, 2, 3):
        if len(bare) > k:
            f.append(f"p{k}=" + bare[:k])
            f.append(f"s{k}=" + bare[-k:])
    if bare.startswith("ال"):
        f.append("al")
    f.append(f"len={min(len(bare), 8)}")
    f.extend(_shape(n))
    if n.isascii() and tok[:1].isalpha():
        f.append("lcap" if tok[0].isupper() else "llow")
    if n in STOPWORDS or bare in STOPWORDS:
        f.append("stop")
    f.extend("gz=" + g for g in gz)
    f.extend("tr=" + t for t in trig)
    return tuple(f)


@lru_cache(maxsize=300_000)
def _context_features(tok: str, off: int) -> tuple[str, ...]:
    """Features a token lends to the token ``off`` places away from it (prefixed with the offset)."""
    n, st, bare, _clitics, gz, trig = _analyse(tok)
    p = f"{off}:"
    f = [p + "w=" + n, p + "st=" + st]
    if off in (-1, 1):
        if bare != n:
            f.append(p + "cl=" + bare)
        f.extend(p + s for s in _shape(n))
        f.extend(p + "gz=" + g for g in gz)
        f.extend(p + "tr=" + t for t in trig)
        if n in STOPWORDS or bare in STOPWORDS:
            f.append(p + "stop")
    else:
        f.extend(p + "tr=" + t for t in trig)
    return tuple(f)


# One token's cached share of the features: its own, what it lends the tokens two and one places
# before and after it, its matching form, clitic-stripped form, trigger types, and the key under which
# the document features (:func:`document_features`) count its repeats ("" for words they skip).
_Entry = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...],
               str, str, tuple[str, ...], str]


class _Kept:
    """Each word's features, cached; with ``attrs`` (a fitted model's), cut to the attributes it knows.

    CRFsuite skips an attribute its model does not know (no weight, nothing added to a score), so
    dropping those before tagging leaves every score, bit for bit, as it was: the known ones stay in
    their order. Fewer than half of an article's attributes are known; the rest cost building,
    passing and a failed dictionary lookup each. ``attrs=None`` keeps them all (training).
    """

    _MAX = 1 << 17  # cached words; cleared when full (bounded memory, the same output)

    def __init__(self, attrs: frozenset[str] | None) -> None:
        self.attrs = attrs
        self._entries: dict[str, _Entry] = {}
        self.bos, self.eos, self.inq, self.inbr = (self.keep((f,)) for f in ("BOS", "EOS", "inq", "inbr"))

    def keep(self, feats: Sequence[str]) -> tuple[str, ...]:
        attrs = self.attrs
        return tuple(feats) if attrs is None else tuple(filter(attrs.__contains__, feats))

    def entries(self, tokens: Sequence[str]) -> list[_Entry]:
        get = self._entries.get
        return [get(t) or self._fill(t) for t in tokens]

    def _fill(self, tok: str) -> _Entry:
        if len(self._entries) >= self._MAX:
            self._entries.clear()
        n, _st, bare, _c, _gz, trig = _analyse(tok)
        doc_key = len(bare) >= 2 and n not in STOPWORDS and bare not in STOPWORDS and any(c.isalpha() for c in bare)
        e = self._entries[tok] = (
            self.keep(_word_features(tok)), *(self.keep(_context_features(tok, off)) for off in _CTX),
            n, bare, trig, bare if doc_key else "",
        )
        return e


_ALL = _Kept(None)  # every feature (training, and callers without a model)


def sentence_features(tokens: Sequence[str], kept: _Kept | None = None) -> list[list[str]]:
    """CRF features for every token of one sentence (lists of binary attribute names).

    With ``kept`` (a fitted tagger's), only the attributes its model knows, in the same order.
    """
    kept = kept or _ALL
    return _sentence(kept.entries(tokens), kept)


def _sentence(entries: list[_Entry], kept: _Kept) -> list[list[str]]:
    n_tok = len(entries)
    keep = kept.keep
    # what each token lends its neighbours, aligned on the receiving token (the sentence's ends
    # lend BOS/EOS one place away, nothing two places away): one list display per token below
    left2 = [(), (), *(e[1] for e in entries[:-2])]
    left1 = [kept.bos, *(e[2] for e in entries[:-1])]
    right1 = [*(e[3] for e in entries[1:]), kept.eos]
    right2 = [*(e[4] for e in entries[2:]), (), ()]
    norms = [e[5] for e in entries]
    # multi-word list hits, as B-/I- positions inside the matched name
    spans: list[list[str]] = [[] for _ in range(n_tok)]
    for label, a, b in load_gazetteer().match_normalized(norms):
        spans[a].append("gzm=B-" + label)
        for i in range(a + 1, b):
            spans[i].append("gzm=I-" + label)
    out: list[list[str]] = []
    in_quote = False
    depth = 0
    for i, e in enumerate(entries):
        n = norms[i]
        f = [*e[0], *left2[i], *left1[i], *right1[i], *right2[i]]
        if spans[i]:
            f.extend(keep(spans[i]))
        if i > 0 and spans[i - 1]:
            f.extend(keep(["-1:" + s for s in spans[i - 1]]))
        if i + 1 < n_tok and spans[i + 1]:
            f.extend(keep(["1:" + s for s in spans[i + 1]]))
        # quote/bracket state: the token itself is not "inside" the marks that open or close it
        if n in _QUOTES:
            in_quote = not in_quote
        elif n in _OPEN:
            depth += 1
        elif n in _CLOSE:
            depth = max(0, depth - 1)
        else:
            if in_quote:
                f.extend(kept.inq)
            if depth:
                f.extend(kept.inbr)
        out.append(f)
    return out


_DOC_MAX = 8  # distinct neighbour words per feature kind; a cap keeps very frequent words cheap


def document_features(sents: Sequence[Sequence[str]], kept: _Kept | None = None) -> list[list[list[str]]]:
    """:func:`sentence_features` for sentences of one document, plus what the document says elsewhere.

    A name's own sentence often lacks the clue that another sentence has (في هونج كونج here, the
    bare name there). Each word that occurs more than once gets the neighbours and trigger words of
    its other occurrences as features (``dL=``, ``dR=``, ``dTr=``), so one clue informs every mention.
    ``kept``: as for :func:`sentence_features`.
    """
    kept = kept or _ALL
    doc = [kept.entries(toks) for toks in sents]
    feats = [_sentence(es, kept) for es in doc]
    occ: dict[str, list[tuple[int, int]]] = {}
    for si, es in enumerate(doc):
        for ti, e in enumerate(es):
            if e[8]:
                occ.setdefault(e[8], []).append((si, ti))
    for places in occ.values():
        if len(places) < 2:
            continue
        left: dict[str, None] = {}
        right: dict[str, None] = {}
        trig: set[str] = set()
        for si, ti in places:
            es = doc[si]
            if ti > 0:
                left.setdefault(es[ti - 1][6])
            if ti + 1 < len(es):
                right.setdefault(es[ti + 1][6])
            for j in (ti - 2, ti - 1):
                if j >= 0:
                    trig.update(es[j][7])
        extra = ["dL=" + w for w in list(left)[:_DOC_MAX]] + ["dR=" + w for w in list(right)[:_DOC_MAX]]
        extra += ["dTr=" + t for t in sorted(trig)]
        if kept.attrs is not None:
            extra = list(kept.keep(extra))
        for si, ti in places:
            feats[si][ti].extend(extra)
    return feats


# --- the tagger ----------------------------------------------------------------------------------


class _Trainer(pycrfsuite.Trainer):
    """A CRFsuite trainer that reports each iteration to a callback instead of printing."""

    progress: Callable[[int], None] | None = None

    def message(self, s: str) -> None:
        # pycrfsuite parses its log only when verbose (and then prints it); parse it here, silently
        if self.logparser.feed(s) == "iteration" and self.progress is not None:
            self.progress(int(self.logparser.last_iteration["num"]))


class NerTagger:
    """CRF named-entity tagger in scikit-learn shape: ``fit(X, y)``, ``predict(X)``, ``save`` / ``load``.

    ``X`` is a list of sentences, each a list of token strings; ``y`` the matching BIO tag lists.
    ``c1`` (L1) prunes features to zero, which keeps the model file small; ``c2`` is the L2 weight.
    ``o_penalty`` > 0 decodes the best valid path through the tag marginals with ``O`` that many log
    units less likely (:mod:`khabar.analyse.decode`), trading precision for recall; 0 is plain Viterbi.
    """

    def __init__(
        self,
        c1: float = 0.05,
        c2: float = 0.01,
        max_iterations: int = 150,
        min_freq: int = 1,
        all_possible_transitions: bool = True,
        doc_size: int = 50,
        o_penalty: float = O_PENALTY,
    ) -> None:
        self.c1 = c1
        self.c2 = c2
        self.max_iterations = max_iterations
        self.min_freq = min_freq
        self.all_possible_transitions = all_possible_transitions
        self.doc_size = doc_size
        self.o_penalty = o_penalty
        self.model_: bytes | None = None
        self._tagger: pycrfsuite.Tagger | None = None
        self._labels: list[str] | None = None
        self._kept_: _Kept | None = None

    def get_params(self) -> dict[str, float | int | bool]:
        """The constructor parameters (scikit-learn convention)."""
        return {
            "c1": self.c1,
            "c2": self.c2,
            "max_iterations": self.max_iterations,
            "min_freq": self.min_freq,
            "all_possible_transitions": self.all_possible_transitions,
            "doc_size": self.doc_size,
            "o_penalty": self.o_penalty,
        }

    def fit(
        self,
        X: Sequence[Sequence[str]],
        y: Sequence[Sequence[str]],
        progress: Callable[[int], None] | None = None,
    ) -> NerTagger:
        """Train on sentences ``X`` with BIO tags ``y``; ``progress(iteration)`` is called each L-BFGS step."""
        if len(X) != len(y):
            raise ValueError(f"{len(X)} sentences but {len(y)} tag sequences")
        trainer = _Trainer(algorithm="lbfgs", verbose=False)
        trainer.progress = progress
        trainer.set_params(
            {
                "c1": self.c1,
                "c2": self.c2,
                "max_iterations": self.max_iterations,
                "feature.minfreq": self.min_freq,
                "feature.possible_transitions": self.all_possible_transitions,
            }
        )
        for toks, tags in zip(X, y, strict=True):
            if len(toks) != len(tags):
                raise ValueError(f"sentence of {len(toks)} tokens has {len(tags)} tags")
        for feats, tags in zip(self._features(X), y, strict=True):
            if feats:
                trainer.append(pycrfsuite.ItemSequence(feats), list(tags))
        # CRFsuite only trains to a file; read it back so the tagger lives in memory
        fd, tmp = tempfile.mkstemp(suffix=".crfsuite")
        os.close(fd)
        try:
            trainer.train(tmp)
            self._set_model(Path(tmp).read_bytes())
        finally:
            os.unlink(tmp)
        return self

    def _set_model(self, data: bytes) -> None:
        self.model_ = data
        tagger = pycrfsuite.Tagger()
        tagger.open_inmemory(data)
        self._tagger = tagger
        self._labels = None
        self._kept_ = None

    def _require(self) -> pycrfsuite.Tagger:
        if self._tagger is None:
            raise RuntimeError("NerTagger is not fitted: call fit() or NerTagger.load()")
        return self._tagger

    def _kept(self) -> _Kept:
        """The features this model has weights for (tagging needs no others: :class:`_Kept`)."""
        if self._kept_ is None:
            self._kept_ = _Kept(frozenset(a for a, _label in self._require().info().state_features))
        return self._kept_

    def _features(self, X: Sequence[Sequence[str]]) -> list[list[list[str]]]:
        """Features for a stream of sentences, read as documents of ``doc_size`` consecutive sentences."""
        out: list[list[list[str]]] = []
        for a in range(0, len(X), self.doc_size):
            out.extend(document_features(X[a : a + self.doc_size]))
        return out

    def _tag(self, feats: list[list[str]]) -> list[str]:
        if not feats:
            return []
        tagger = self._require()
        if not self.o_penalty:
            return tagger.tag(pycrfsuite.ItemSequence(feats))
        tagger.set(pycrfsuite.ItemSequence(feats))
        self._labels = self._labels or sorted(tagger.labels())
        return decode(tagger, self._labels, len(feats), self.o_penalty)

    def predict(self, X: Sequence[Sequence[str]]) -> list[list[str]]:
        """BIO tags for each sentence in ``X``.

        ``X`` is read as a stream: each run of ``doc_size`` consecutive sentences is one document
        (see :func:`document_features`), so pass sentences in their text order. A name tagged in a
        document is copied onto its untagged repeats there (:func:`khabar.analyse.propagate.propagate`).
        """
        self._require()
        out: list[list[str]] = []
        for a in range(0, len(X), self.doc_size):
            doc = X[a : a + self.doc_size]
            out.extend(propagate(doc, [self._tag(f) for f in document_features(doc, self._kept())], _bare))
        return out

    def save(self, path: str | Path) -> None:
        """Write the CRFsuite model file."""
        if self.model_ is None:
            raise RuntimeError("NerTagger is not fitted: nothing to save")
        Path(path).write_bytes(self.model_)

    @classmethod
    def load(cls, path: str | Path) -> NerTagger:
        """A tagger from a CRFsuite model file written by :meth:`save`."""
        tagger = cls()
        tagger._set_model(Path(path).read_bytes())
        return tagger

    def tag(self, text: str) -> list[Mention]:
        """Named-entity mentions in clean article text, with offsets into ``text``.

        Text is split into sentences and tokens (punctuation kept) by :mod:`khabar.text.arabic`. A mention
        starting with a proclitic (وروسيا، بالقاهرة) has it cut off the span where the split is safe.
        ``entity`` is the mention's matching form; linking mentions of one entity is done elsewhere.
        """
        out: list[Mention] = []
        sents = [(a, toks) for a, b in sentences(text) if (toks := tokenize(text[a:b], punct=True))]
        # the whole text is one document for the cross-sentence features
        words = [[t.text for t in toks] for _a, toks in sents]
        doc_tags = propagate(words, [self._tag(f) for f in document_features(words, self._kept())], _bare)
        for (a, toks), tags in zip(sents, doc_tags, strict=True):
            for typ, i, j in entities(tags):
                if all(_lower_latin(t.text) for t in toks[i:j]):
                    continue  # ANERcorp has ~100 Latin tokens: lowercase Latin runs are code or markup, not names
                start = a + toks[i].start
                end = a + toks[j - 1].end
                start = _skip_proclitics(text, start, end)
                span = text[start:end]
                out.append(Mention(text=span, type=typ, start=start, end=end, entity=normalize(span)))
        return out


def _bare(tok: str) -> str:
    return _analyse(tok)[2]


def _lower_latin(tok: str) -> bool:
    return tok.isascii() and not any(c.isupper() for c in tok)


def _known(word: str) -> bool:
    """True for a word the name lists or trigger words hold as written (رويترز، مجلس)."""
    return bool(load_gazetteer().lookup_exact(word)) or word in _trigger_index()


def _skip_proclitics(text: str, start: int, end: int) -> int:
    """Move ``start`` past proclitics on the mention's first word when cutting them is safe.

    و/ف (and) come off wherever :func:`khabar.text.arabic.split_clitics` splits them; ب/ك/ل only before
    ال (بالقاهرة) or a word the lists know (لرويترز، بمجلس), because names often start with those
    letters (بكين، برلين، لندن).
    """
    words = text[start:end].split(maxsplit=1)
    if not words:
        return start
    nf = normalize(words[0])
    parts = split_clitics(nf)
    k = 0
    for i, p in enumerate(parts[:-1]):
        rest = "".join(parts[i + 1 :])
        if nf[i + 1 :] != rest:
            break  # the split restored an elided letter (للأمم = ل + الأمم): no clean cut in the text
        if p in ("و", "ف") or (p in ("ب", "ك", "ل") and (rest.startswith("ال") or _known(rest))):
            k += 1
        else:
            break
    # walk k letters (and any harakat or tatweel after them) forward in the raw text
    pos = start
    for _ in range(k):
        pos += 1
        while pos < end and (unicodedata.category(text[pos]) == "Mn" or text[pos] == "\u0640"):
            pos += 1
    return pos if pos < end else start


@lru_cache(maxsize=1)
def load_tagger() -> NerTagger:
    """The shipped NER model (``khabar/models/ner.crfsuite``), loaded once."""
    if not MODEL_PATH.exists():
        raise FileNotFoundError(
            f"NER model missing: {MODEL_PATH} (train it with: khabar train ner FILE.conll)"
        )
    return NerTagger.load(MODEL_PATH)


def cross_validate(
    X: Sequence[Sequence[str]],
    y: Sequence[Sequence[str]],
    folds: int = 5,
    params: dict | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Scores:
    """Entity-level scores of ``folds``-fold cross-validation with contiguous folds, pooled over folds.

    Contiguous blocks of sentences, not shuffled ones, so that a document's names do not sit on both
    sides of a split. ``progress(fold, iteration)`` is called as each fold trains.
    """
    gold: list[Sequence[str]] = []
    pred: list[list[str]] = []
    unseen: dict[str, PRF] = {}
    for k, (train, test) in enumerate(contiguous_folds(len(X), folds)):
        cb = (lambda it, k=k: progress(k, it)) if progress else None
        tagger = NerTagger(**(params or {})).fit([X[i] for i in train], [y[i] for i in train], progress=cb)
        fold_pred = tagger.predict([X[i] for i in test])
        # names never tagged in the training folds, by matching form: the recall that says how it generalises
        seen = entity_keys([X[i] for i in train], [y[i] for i in train], normalize)
        add_unseen_recall(unseen, seen, [X[i] for i in test], [y[i] for i in test], fold_pred, normalize)
        pred.extend(fold_pred)
        gold.extend(y[i] for i in test)
    out = score(gold, pred)
    out.unseen = unseen
    return out
