"""Entity linking within one article: the mentions of one entity get one canonical ``Mention.entity``.

Keys are the mention's normalized text without quote marks,
brackets, leading titles or the proclitics و/ف (and ب/ك/ل before ال). A PERS key that is a word
suffix of a longer PERS name in the article, or that name's last word with or without ال, is that
person (``بيرقدار``, ``(الفارس)`` → ``حمزة بيرقدار``, ``منذر فارس``); an ORG key that is a word
suffix of a longer ORG is that organisation (``جيش الإسلام`` ⊂ ``هيئة أركان جيش الإسلام``). A word
written without its space (``أحرارالشام``) is split where another mention in the article spells
it with the space. The canonical ``entity`` is the longest key of the group. Surnames of linked
people found later untagged (``وقال علوان``) become PERS mentions too.

>>> ms = [Mention("حمزة بيرقدار", "PERS", 0, 12, ""), Mention("بيرقدار", "PERS", 20, 27, "")]
>>> [m.entity for m in link("حمزة بيرقدار قال ثم بيرقدار أكد", ms)]
['حمزه بيرقدار', 'حمزه بيرقدار']
"""

from __future__ import annotations

import bisect
from functools import lru_cache
from itertools import compress

from khabar.analyse.cues import is_kind, kind_words
from khabar.analyse.quotemarks import QUOTE_CHARS
from khabar.text.arabic import STOPWORDS, normalize, split_clitics, tokens_normalized, unvocalized
from khabar.text.lexicon import NAME_COLLIDE, NAME_PARTICLES
from khabar.types import Mention

__all__ = ["link", "written_names"]

def _key_words(m: Mention) -> list[str]:
    """The mention's words in matching form: no marks, no leading title, no proclitic و/ف (ب/ك/ل before ال)."""
    return list(_key_words_of(m.text, m.type == "PERS"))


@lru_cache(maxsize=100_000)  # an article names its entities again and again; linking and
# written_names both ask: the answer depends on the text (and whether it is a person) only
def _key_words_of(text: str, pers: bool) -> tuple[str, ...]:
    """:func:`_key_words` of a mention's text."""
    raw = "".join(" " if c in QUOTE_CHARS else c for c in text)
    ws = [normalize(w) for w in raw.split() if normalize(w) and normalize(w) not in ("ل", "لـ", "-")]
    ws = [w for w in ws if any(c.isalnum() for c in w)]
    if pers:
        while len(ws) > 1 and ws[0] in kind_words("title"):
            ws = ws[1:]
    if ws:
        parts = split_clitics(ws[0])
        k = 0
        for i, p in enumerate(parts[:-1]):
            rest = "".join(parts[i + 1 :])
            # names start with و/ف often (وائل، فوزي): a proclitic comes off only before ال
            if p in ("و", "ف", "ب", "ك", "ل") and rest.startswith("ال"):
                k = i + 1
            else:
                break
        if k:
            ws[0] = "".join(parts[k:])
    return tuple(ws)


def _split_joined(words: list[str], joined: dict[str, tuple[str, str]]) -> list[str]:
    """Split a word written without its space (احرارالشام) where the article spells the pair apart."""
    out = []
    for w in words:
        pair = joined.get(w)
        if pair is None:
            out.append(w)
        else:
            out.extend(pair)
    return out


def _is_suffix(short: list[str], long: list[str]) -> bool:
    return 0 < len(short) < len(long) and long[-len(short) :] == short


def _surname_match(short: list[str], full: list[str]) -> bool:
    """``short`` names the person ``full``: a word suffix of it, or its last word with/without ال."""
    if len(full) < 2:
        return False
    if _is_suffix(short, full):
        return True
    if len(short) == 1:
        s, last = short[0], full[-1]
        return s == "ال" + last or (last.startswith("ال") and s == last[2:])
    return False


def link(text: str, mentions: list[Mention]) -> list[Mention]:
    """Give the mentions of one entity in ``text`` one canonical ``entity`` (module docstring).

    Also adds PERS mentions for later untagged occurrences of a linked person's surname. Linear in
    the mentions: candidates are looked up by key suffix, never compared pair by pair.
    """
    ms = sorted(mentions, key=lambda m: (m.start, m.end))
    keys = [_key_words(m) for m in ms]
    joined: dict[str, tuple[str, str]] = {}
    for k in keys:
        for i in range(len(k) - 1):
            joined.setdefault(k[i] + k[i + 1], (k[i], k[i + 1]))
    keys = [_split_joined(k, joined) for k in keys]
    ms, keys = _add_surnames(text, ms, keys)

    canon: list[list[str]] = [k for k in keys]
    idx_by_type: dict[str, list[int]] = {}
    for i, m in enumerate(ms):
        idx_by_type.setdefault(m.type, []).append(i)
    for typ, idxs in idx_by_type.items():
        if typ not in ("PERS", "ORG"):
            continue
        index = _SuffixIndex(ms, keys, idxs)
        # a group per distinct longest key; shorter keys join the nearest (preceding first) longer
        # one, which is linked before them (longest first)
        for i in sorted(idxs, key=lambda i: -len(keys[i])):
            j = index.nearest(i, typ == "PERS")
            if j is not None:
                canon[i] = canon[j]
    out = []
    for m, c in zip(ms, canon, strict=True):
        ent = " ".join(c) if c else normalize(m.text)
        out.append(Mention(m.text, m.type, m.start, m.end, ent))
    return out


def written_names(mentions: list[Mention]) -> dict[str, str]:
    """Each linked entity's name as the article writes it: the most frequent spelling among its
    mentions that give the whole canonical name (else among its longest), marks and a leading title
    off. What a person reads; ``Mention.entity`` (the matching form) stays the key.

    >>> ms = [Mention("حمزة بيرقدار", "PERS", 0, 12, "حمزه بيرقدار"), Mention("بيرقدار", "PERS", 20, 27, "حمزه بيرقدار")]
    >>> written_names(ms)
    {'حمزه بيرقدار': 'حمزة بيرقدار'}
    """
    forms: dict[str, dict[str, list[int]]] = {}  # entity → written form → [count, fullness, -first]
    for m in sorted(mentions, key=lambda m: m.start):
        if not m.entity:
            continue
        key = _key_words_of(m.text, m.type == "PERS")
        raw = _shown_words(m.text)
        if not key or not raw:
            continue
        shown = " ".join(raw[-len(key):] if len(raw) > len(key) else raw)  # a leading title off
        full = " ".join(key) == m.entity
        rec = forms.setdefault(m.entity, {}).setdefault(shown, [0, 0, -m.start])
        rec[0] += 1
        rec[1] = int(full) * 100 + len(key)
    out = {}
    for ent, by in forms.items():
        # the whole name first, then the most frequent spelling of it, then the earliest
        out[ent] = max(by, key=lambda f: (by[f][1], by[f][0], by[f][2]))
    return out


@lru_cache(maxsize=100_000)  # as _key_words_of: the same mention texts over and over
def _shown_words(text: str) -> tuple[str, ...]:
    """A mention's words as written, quote marks and brackets off."""
    raw = "".join(" " if c in QUOTE_CHARS else c for c in text).split()
    return tuple(w for w in raw if any(c.isalnum() for c in w))


_INDEXED_WORDS = 8  # suffixes indexed up to this many words (longer names, never seen in news, are scanned)


class _SuffixIndex:
    """The mentions of one type by the word suffixes of their keys, each list in text order."""

    def __init__(self, ms: list[Mention], keys: list[list[str]], idxs: list[int]) -> None:
        self.ms, self.keys = ms, keys
        self.by_suffix: dict[tuple[str, ...], list[tuple[int, int]]] = {}
        self.by_last: dict[str, list[tuple[int, int]]] = {}
        for j in idxs:  # idxs are in text order
            k = keys[j]
            if len(k) >= 2:
                self.by_last.setdefault(k[-1], []).append((ms[j].start, j))
            for n in range(1, min(len(k), _INDEXED_WORDS + 1)):
                self.by_suffix.setdefault(tuple(k[-n:]), []).append((ms[j].start, j))

    def _candidates(self, short: list[str], pers: bool) -> list[list[tuple[int, int]]]:
        """Lists of ``(start, j)``, in text order, of the longer mentions ``short`` names."""
        if not short:
            return []
        if len(short) > _INDEXED_WORDS:
            match = _surname_match if pers else _is_suffix
            return [[c for c in self.by_last.get(short[-1], []) if match(short, self.keys[c[1]])]]
        lists = [self.by_suffix.get(tuple(short), [])]
        if pers and len(short) == 1:
            # the last word with or without ال (الفارس ~ منذر فارس, فارس ~ منذر الفارس)
            s = short[0]
            lists.append(self.by_last.get("ال" + s, []))
            if s.startswith("ال"):
                lists.append(self.by_last.get(s[2:], []))
        return lists

    def nearest(self, i: int, pers: bool) -> int | None:
        """The longer mention ``i`` names nearest before it (else the first after it), or None."""
        at = self.ms[i].start
        before: tuple[int, int] | None = None  # (start, j): latest start, first j among equals
        after: tuple[int, int] | None = None
        for lst in self._candidates(self.keys[i], pers):
            if not lst:
                continue
            k = bisect.bisect_right(lst, (at, len(self.ms)))
            if k:
                c = lst[bisect.bisect_left(lst, (lst[k - 1][0], -1))]
                if before is None or c[0] > before[0] or (c[0] == before[0] and c[1] < before[1]):
                    before = c
            if after is None or lst[0] < after:
                after = lst[0]
        best = before or after
        return best[1] if best is not None else None


def _add_surnames(text: str, ms: list[Mention], keys: list[list[str]]) -> tuple[list[Mention], list[list[str]]]:
    """PERS mentions for untagged later occurrences of a multi-word person's surname."""
    surnames: dict[tuple[str, ...], int] = {}
    for i, (m, k) in enumerate(zip(ms, keys, strict=True)):
        if m.type != "PERS" or len(k) < 2:
            continue
        # surname = last word, or the last two when the second-to-last is a particle (عبد العال)
        sn = tuple(k[-2:]) if len(k) >= 3 and (k[-2] in NAME_PARTICLES or k[-1] == "الله") else tuple(k[-1:])
        raw_last = unvocalized(m.text.split()[-1]) if m.text.split() else ""
        collide = raw_last in NAME_COLLIDE
        if len(sn) == 1 and (len(sn[0]) < 3 or (sn[0] in STOPWORDS and not collide) or is_kind(sn[0], "role", "org")):
            continue
        surnames.setdefault(sn, (i, raw_last if collide else ""))
    if not surnames:
        return ms, keys
    toks, norms = tokens_normalized(text)
    # token positions by first-word form (as written, and without a proclitic و/ف): only there
    # can a surname start, so each surname reads its own few positions, not the whole text
    # (only the surnames' first words are looked for: the forms with و/ف are a set of their own,
    # so that the tokens that can start none are skipped in C)
    need = {sn[0] for sn in surnames}
    need_vf = {c + w for w in need if len(w) > 2 for c in "وف"}  # len(w0) > 3 and w0[0] in "وف"
    at_form: dict[str, list[int]] = {}
    for p in compress(range(len(norms)), map((need | need_vf).__contains__, norms)):
        w0 = norms[p]
        if w0 in need:
            at_form.setdefault(w0, []).append(p)
        if w0 in need_vf:
            at_form.setdefault(w0[1:], []).append(p)
    taken = bytearray(len(text) + 1)  # 1 where a mention already covers the character
    for m in ms:
        taken[m.start : m.end] = b"\x01" * max(0, min(m.end, len(text)) - m.start)
    new_m, new_k = list(ms), list(keys)
    for sn, (first, raw_form) in surnames.items():
        size = len(sn)
        for p in sorted(set(at_form.get(sn[0], ()))):
            if p > len(toks) - size:
                break
            seg = toks[p : p + size]
            if seg[0].start < ms[first].end:
                continue
            words = norms[p : p + size]
            w0 = words[0]
            if len(w0) > 3 and w0[0] in "وف" and (w0[1:],) + tuple(words[1:]) == sn:
                words = [w0[1:], *words[1:]]
                a = seg[0].start + 1
            else:
                a = seg[0].start
            if tuple(words) != sn:
                continue
            if raw_form and unvocalized(seg[-1].text).lstrip("وف") != raw_form:
                continue  # إمام the name, not أمام the preposition
            b = seg[-1].end
            if taken.find(1, a, b) >= 0:
                continue
            m = Mention(text[a:b], "PERS", a, b, " ".join(sn))
            new_m.append(m)
            new_k.append(list(sn))
            taken[a:b] = b"\x01" * (b - a)
    order = sorted(range(len(new_m)), key=lambda i: (new_m[i].start, new_m[i].end))
    return [new_m[i] for i in order], [new_k[i] for i in order]
