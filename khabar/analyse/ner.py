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
(:mod:`khabar.analyse.propagate`). The features are built in :mod:`khabar.analyse.ner_features`,
once per distinct word (cached) and cut to the attributes the model knows, then handed to CRFsuite as
its own UTF-8 bytes; tags and scores are bit for bit those of building every feature afresh.
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

from khabar.analyse import ner_features as _nf
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
from khabar.analyse.gazetteer import load_gazetteer
from khabar.analyse.ner_features import (
    _document,
    _Kept,
    document_features,
    model_attributes,
    sentence_features,
)
from khabar.analyse.propagate import propagate
from khabar.text.arabic import normalize, sentences, split_clitics, tokenize
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

# The features are built in khabar.analyse.ner_features; these stay importable from here, where
# bench/ner_neural.py, the tests and older callers look for them.
_ALL, _CTX, _DOC_MAX = _nf._ALL, _nf._CTX, _nf._DOC_MAX
_QUOTES, _OPEN, _CLOSE = _nf._QUOTES, _nf._OPEN, _nf._CLOSE
_analyse, _bare, _shape, _trigger_index = _nf._analyse, _nf._bare, _nf._shape, _nf._trigger_index
_word_features, _context_features, _sentence = _nf._word_features, _nf._context_features, _nf._sentence
_Entry = _nf._Entry

# Decoding penalty on O (log units). 0 = plain Viterbi: on 5-fold CV of ANERcorp train, 0.5 / 1.0 /
# 1.5 raise recall (0.652 -> 0.663 / 0.674 / 0.682) but cost as much precision (F1 0.727 -> 0.727 /
# 0.726 / 0.721), and less after propagation; kept as a knob (khabar eval ner --o-penalty).
O_PENALTY = 0.0


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
            tagger = self._require()
            # read from the model file's attribute dictionary (~20 ms), not by dumping the whole model as
            # text and parsing it (~250 ms of every cold start)
            attrs = model_attributes(self.model_ or b"")
            if attrs is None:
                attrs = sorted({a for a, _label in tagger.info().state_features})
            self._kept_ = _Kept(attrs)
        return self._kept_

    def _features(self, X: Sequence[Sequence[str]]) -> list[list[list[str]]]:
        """Features for a stream of sentences, read as documents of ``doc_size`` consecutive sentences."""
        out: list[list[list[str]]] = []
        for a in range(0, len(X), self.doc_size):
            out.extend(document_features(X[a : a + self.doc_size]))
        return out

    def _tag(self, feats: Sequence[Sequence[str | bytes]]) -> list[str]:
        if not feats:
            return []
        tagger = self._require()
        if not self.o_penalty:
            return tagger.tag(feats)
        tagger.set(feats)
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
            out.extend(propagate(doc, [self._tag(f) for f in _document(doc, self._kept())], _bare))
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
        doc_tags = propagate(words, [self._tag(f) for f in _document(words, self._kept())], _bare)
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
