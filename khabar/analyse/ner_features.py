"""Features of the CRF named-entity tagger (:mod:`khabar.analyse.ner`): per word, per sentence, per document.

Per token: the word in matching form, its 1-3 letter prefixes and suffixes, light stem,
clitic-stripped form and proclitics, shape (digits, Latin, punctuation, quote mark), stopword flag,
gazetteer hits (one- and multi-word), trigger words, whether it sits inside quotes or brackets, and
the words two either side with their list hits. Across sentences of one document a word that recurs
also gets the neighbours and triggers of its other occurrences (:func:`document_features`).

Everything a word contributes (its own features and what it lends each neighbour) is worked out
once per distinct word and cached (:class:`_Kept`); a sentence is then assembled by concatenating
cached tuples. For tagging, the cache holds only the attributes the model knows, as UTF-8 bytes
(CRFsuite's own form: no encoding per call); for training, every attribute as ``str``.

>>> f = document_features([["قال", "الرئيس", "فرويد"], ["وصل", "فرويد"]])
>>> f[0][2][:3], "dTr=PERS" in f[1][1]
(['b', 'w=فرويد', 'st=فرويد'], True)
"""

from __future__ import annotations

import struct
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from itertools import chain, islice
from operator import itemgetter

from khabar.analyse.gazetteer import load_gazetteer, triggers
from khabar.text.arabic import STOPWORDS, normalize, split_clitics, stem

__all__ = ["document_features", "model_attributes", "sentence_features"]

_QUOTES = frozenset("\"'")  # after normalize every quote mark («» “” ‘’) is one of these
_OPEN = frozenset("([{")
_CLOSE = frozenset(")]}")
_CTX = (-2, -1, 1, 2)


# --- per-word features ---------------------------------------------------------------------------


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
    gz = tuple(sorted(load_gazetteer().lookup_normalized(n))) if n else ()
    tidx = _trigger_index()
    trig = tidx.get(n) or tidx.get(bare) or ()
    return n, st, bare, tuple(parts[:-1]), gz, trig


def _bare(tok: str) -> str:
    """A token's clitic-stripped matching form (what names compare by across a document)."""
    return _analyse(tok)[2]


# --- the per-word cache --------------------------------------------------------------------------

# An attribute as CRFsuite is handed it: str for training, the model's own UTF-8 bytes for tagging.
_Attr = str | bytes
# One token's cached share of the features, a plain tuple (indexing is the cheapest access):
_OWN, _L2, _L1, _R1, _R2 = 0, 1, 2, 3, 4  # its own; lent to the tokens 2 / 1 after, 1 / 2 before it
_NORM, _BARE, _TRIG, _KEY = 5, 6, 7, 8  # matching form, clitic-stripped form, trigger types, repeat key
_MARK = 9  # 0, or 1 / 2 / 3 for a quote mark / opening / closing bracket
_DL, _DR = 10, 11  # its "dL=" / "dR=" attribute as a repeated word's neighbour (None: model lacks it)
_STARTS = 12  # whether a multi-word list name may start with it
_Entry = tuple
_GET_OWN, _GET_L2, _GET_L1, _GET_R1, _GET_R2 = (itemgetter(k) for k in (_OWN, _L2, _L1, _R1, _R2))
_GET_BARE, _GET_TRIG, _GET_KEY, _GET_MARK = (itemgetter(k) for k in (_BARE, _TRIG, _KEY, _MARK))
_GET_DL, _GET_DR, _GET_STARTS = (itemgetter(k) for k in (_DL, _DR, _STARTS))


def _mark(n: str) -> int:
    return 1 if n in _QUOTES else 2 if n in _OPEN else 3 if n in _CLOSE else 0


def _may_start_name(n: str) -> bool:
    """False where no multi-word gazetteer name starts with the matching form ``n``: the search
    (:meth:`Gazetteer.match_normalized`) then has nothing to find from there."""
    return load_gazetteer().may_start(n)


_LEN = tuple(f"len={k}" for k in range(9))
_SAME = str.__str__  # the "attribute lookup" that keeps every feature as it is (str returns itself)


def _entry(tok: str, get: Callable[[str], _Attr | None]) -> _Entry:
    """One token's entry (layout above): every feature it has or lends, through ``get``.

    ``get`` maps a feature to what CRFsuite is handed, None to drop it. Built in one function, the
    strings each formed once and shared: a new word costs this every time an article has one.
    Order matters (CRFsuite sums weights in it): own features are ``b w st [cl pre] p1 s1 p2 s2 p3
    s3 [al] len shape… [lcap|llow] [stop] gz… tr…``; one place away ``w st [cl] shape… gz… tr…
    [stop]``, two places away ``w st tr…``.
    """
    n, st, bare, clitics, gz, trig = _analyse(tok)
    shape = _shape(n)
    stop = n in STOPWORDS or bare in STOPWORDS
    wn = "w=" + n
    sn = "st=" + st
    gzs = ["gz=" + g for g in gz]
    trs = ["tr=" + t for t in trig]
    own = ["b", wn, sn]
    if bare != n:
        cl = "cl=" + bare
        own += (cl, "pre=" + "+".join(clitics))
        near = [wn, sn, cl, *shape, *gzs, *trs]
    else:
        near = [wn, sn, *shape, *gzs, *trs]
    lb = len(bare)
    if lb > 1:
        own += ("p1=" + bare[:1], "s1=" + bare[-1:])
        if lb > 2:
            own += ("p2=" + bare[:2], "s2=" + bare[-2:])
            if lb > 3:
                own += ("p3=" + bare[:3], "s3=" + bare[-3:])
    if bare.startswith("ال"):
        own.append("al")
    own.append(_LEN[min(lb, 8)])
    own += shape
    if n.isascii() and tok[:1].isalpha():
        own.append("lcap" if tok[0].isupper() else "llow")
    if stop:
        own.append("stop")
        near.append("stop")
    own += gzs
    own += trs
    far = [wn, sn, *trs]
    return (
        tuple(filter(None, map(get, own))),
        tuple(filter(None, map(get, ["-2:" + f for f in far]))),
        tuple(filter(None, map(get, ["-1:" + f for f in near]))),
        tuple(filter(None, map(get, ["1:" + f for f in near]))),
        tuple(filter(None, map(get, ["2:" + f for f in far]))),
        n,
        bare,
        trig,
        bare if lb >= 2 and not stop and (bare.isalpha() or any(c.isalpha() for c in bare)) else "",
        _mark(n),
        get("dL=" + bare),
        get("dR=" + bare),
        _may_start_name(n),
    )


def _word_features(tok: str) -> tuple[str, ...]:
    """Features of a token about itself."""
    return _entry(tok, _SAME)[_OWN]


def _lent(tok: str) -> tuple[tuple[str, ...], ...]:
    """What a token lends the tokens two and one places after and before it, in ``_CTX`` order.

    Each tuple is prefixed with the token's offset from the receiver ("-2:" … "2:"); the near
    neighbours (one place away) get more of it than the far ones.
    """
    return _entry(tok, _SAME)[_L2 : _R2 + 1]


def _context_features(tok: str, off: int) -> tuple[str, ...]:
    """Features a token lends to the token ``off`` places away from it (prefixed with the offset)."""
    return _lent(tok)[_CTX.index(off)]


class _Kept:
    """Each word's features, cached; with ``attrs`` (a fitted model's), cut to the attributes it knows.

    CRFsuite skips an attribute its model does not know (no weight, nothing added to a score), so
    dropping those before tagging leaves every score, bit for bit, as it was: the known ones stay in
    their order. Fewer than half of an article's attributes are known; the rest cost building,
    passing and a failed dictionary lookup each. Kept attributes are held as the model's UTF-8 bytes,
    which CRFsuite takes without encoding. ``attrs=None`` keeps them all, as ``str`` (training).
    """

    _MAX = 1 << 17  # cached words; cleared when full (bounded memory, the same output)

    def __init__(self, attrs: Iterable[str] | None) -> None:
        # attribute -> the bytes handed to CRFsuite (one shared object per attribute)
        self._bytes: dict[str, bytes] | None = None if attrs is None else {a: a.encode() for a in attrs}
        self._get: Callable[[str], _Attr | None] = _SAME if self._bytes is None else self._bytes.get
        self.attrs = None if self._bytes is None else frozenset(self._bytes)
        self._entries: dict[str, _Entry] = {}
        self.bos, self.eos, self.inq, self.inbr = (self.keep((f,)) for f in ("BOS", "EOS", "inq", "inbr"))

    def keep(self, feats: Iterable[str]) -> tuple[_Attr, ...]:
        """The attributes of ``feats`` to hand CRFsuite, in order (all of them without a model)."""
        b = self._bytes
        return tuple(feats) if b is None else tuple(filter(None, map(b.get, feats)))

    def entries(self, tokens: Sequence[str]) -> list[_Entry]:
        """The cached entry of each token (see the ``_OWN`` … ``_STARTS`` layout)."""
        get = self._entries.get
        return [get(t) or self._fill(t) for t in tokens]

    def _fill(self, tok: str) -> _Entry:
        if len(self._entries) >= self._MAX:
            self._entries.clear()
        e = self._entries[tok] = _entry(tok, self._get)
        return e


_ALL = _Kept(None)  # every feature (training, and callers without a model)


def model_attributes(model: bytes) -> list[str] | None:
    """The attribute names of a CRFsuite model file (its attribute dictionary), or None if unreadable.

    These are exactly the attributes with a state feature (CRFsuite writes no others), what
    ``Tagger.info().state_features`` lists after dumping and parsing the whole model as text, read
    here straight from the file: the 48-byte header's offset to the attribute CQDB chunk, whose
    backward array points at each ``(id, size, name\\0)`` record.
    """
    try:
        if model[:4] != b"lCRF" or model[8:12] != b"FOMC":
            return None
        off = struct.unpack_from("<I", model, 36)[0]
        chunk, _size, _flag, order, n, bwd = struct.unpack_from("<4sIIIII", model, off)
        if chunk != b"CQDB" or order != 0x62445371:
            return None
        out = []
        for i, rec in enumerate(struct.unpack_from(f"<{n}I", model, off + bwd)):
            rid, ksize = struct.unpack_from("<II", model, off + rec)
            if rid != i or ksize < 1:
                return None
            start = off + rec + 8
            out.append(model[start : start + ksize - 1].decode("utf-8"))
        return out
    except (struct.error, UnicodeDecodeError):
        return None


# --- sentences and documents ---------------------------------------------------------------------

# A token's features as handed to CRFsuite: a tuple (built by concatenating cached tuples, the
# cheapest way to make one), a list for the public functions.
_Row = tuple


def sentence_features(tokens: Sequence[str], kept: _Kept | None = None) -> list[list[_Attr]]:
    """CRF features for every token of one sentence (lists of binary attribute names).

    With ``kept`` (a fitted tagger's), only the attributes its model knows, in the same order, as bytes.
    """
    kept = kept or _ALL
    return list(map(list, _sentence(kept.entries(tokens), kept)))


def _sentence(entries: list[_Entry], kept: _Kept) -> list[_Row]:
    n_tok = len(entries)
    # each token: its own features, then what the tokens two and one before and one and two after lend
    # it (the sentence's ends lend BOS/EOS one place away, nothing two places away)
    l2 = [(), (), *map(_GET_L2, entries)]
    l1 = [kept.bos, *map(_GET_L1, entries)]
    r1 = [*map(_GET_R1, entries), kept.eos]
    r2 = [*map(_GET_R2, entries), (), ()]
    del r1[0], r2[:2]
    # l2 and l1 run past the sentence's end: zip stops at its last token
    out = [o + a + b + c + d for o, a, b, c, d in zip(map(_GET_OWN, entries), l2, l1, r1, r2, strict=False)]
    # multi-word list hits, as B-/I- positions inside the matched name, on the token and its neighbours;
    # no name starts before the first token that can start one, so the search starts there
    starts = list(map(_GET_STARTS, entries))
    if True in starts:
        first = starts.index(True)
        hits = load_gazetteer().match_normalized([e[_NORM] for e in entries[first:]])
        if hits:
            spans: list[list[str]] = [[] for _ in range(n_tok)]
            for label, a, b in hits:
                spans[first + a].append("gzm=B-" + label)
                for i in range(first + a + 1, first + b):
                    spans[i].append("gzm=I-" + label)
            keep = kept.keep
            for i in range(max(0, first + hits[0][1] - 1), n_tok):
                extra: tuple[_Attr, ...] = ()
                if spans[i]:
                    extra += keep(spans[i])
                if i > 0 and spans[i - 1]:
                    extra += keep(["-1:" + s for s in spans[i - 1]])
                if i + 1 < n_tok and spans[i + 1]:
                    extra += keep(["1:" + s for s in spans[i + 1]])
                if extra:
                    out[i] += extra
    # quote/bracket state: the token itself is not "inside" the marks that open or close it
    if any(map(_GET_MARK, entries)):
        in_quote = False
        depth = 0
        inside = {(True, False): kept.inq, (False, True): kept.inbr, (True, True): kept.inq + kept.inbr}
        for i, e in enumerate(entries):
            m = e[_MARK]
            if m == 1:
                in_quote = not in_quote
            elif m == 2:
                depth += 1
            elif m == 3:
                depth = max(0, depth - 1)
            elif in_quote or depth:
                out[i] += inside[in_quote, depth > 0]
    return out


_DOC_MAX = 8  # distinct neighbour words per feature kind; a cap keeps very frequent words cheap


def document_features(sents: Sequence[Sequence[str]], kept: _Kept | None = None) -> list[list[list[_Attr]]]:
    """:func:`sentence_features` for sentences of one document, plus what the document says elsewhere.

    A name's own sentence often lacks the clue that another sentence has (في هونج كونج here, the
    bare name there). Each word that occurs more than once gets the neighbours and trigger words of
    its other occurrences as features (``dL=``, ``dR=``, ``dTr=``), so one clue informs every mention.
    ``kept``: as for :func:`sentence_features`.
    """
    return [list(map(list, rows)) for rows in _document(sents, kept or _ALL)]


def _document(sents: Sequence[Sequence[str]], kept: _Kept) -> list[list[_Row]]:
    """:func:`document_features` as CRFsuite takes them (a tuple per token)."""
    doc = [kept.entries(toks) for toks in sents]
    feats = [_sentence(es, kept) for es in doc]
    flat = list(chain.from_iterable(doc))
    keys = list(map(_GET_KEY, flat))
    counts = Counter(keys)
    counts.pop("", None)  # words the document features skip
    repeated = {k for k, c in counts.items() if c >= 2}
    if not repeated:
        return feats
    # each repeated word's places (indices into the document's tokens), in text order
    occ: dict[str, list[int]] = {}
    for g in [g for g, k in enumerate(keys) if k in repeated]:
        occ.setdefault(keys[g], []).append(g)
    # each token's neighbours one and two places before and one after it in its sentence (None: none)
    left = list(chain.from_iterable([None, *es][: len(es)] for es in doc))
    left2 = list(chain.from_iterable([None, None, *es][: len(es)] for es in doc))
    right = list(chain.from_iterable([*es[1:], None][: len(es)] for es in doc))
    rows = list(chain.from_iterable(feats))
    for places in occ.values():
        at = itemgetter(*places)  # two places or more: a tuple
        ls = list(filter(None, at(left)))
        rs = list(filter(None, at(right)))
        # neighbours by their clitic-stripped form, first seen first; the attribute depends on the form
        # alone, so dict() keeping each form's last value still gives the first one's attribute
        extra = [
            a
            for a in islice(dict(zip(map(_GET_BARE, ls), map(_GET_DL, ls), strict=True)).values(), _DOC_MAX)
            if a
        ]
        extra += [
            a
            for a in islice(dict(zip(map(_GET_BARE, rs), map(_GET_DR, rs), strict=True)).values(), _DOC_MAX)
            if a
        ]
        trig = set(chain.from_iterable(map(_GET_TRIG, filter(None, at(left2) + at(left)))))
        if trig:
            extra += kept.keep(["dTr=" + t for t in sorted(trig)])
        if extra:
            add = tuple(extra)
            for g in places:
                rows[g] += add
    # back into sentences
    out = []
    a = 0
    for es in doc:
        out.append(rows[a : a + len(es)])
        a += len(es)
    return out
