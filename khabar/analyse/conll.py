"""CoNLL ``token TAG`` files and entity-level scoring under CoNLL (conlleval) rules.

A file holds one token per line, ``token TAG`` separated by whitespace, and a blank line between
sentences. Tags are ``O`` or BIO tags ``B-TYPE`` / ``I-TYPE``. ``-DOCSTART-`` lines are treated as
sentence breaks. Scoring is exact-match on entity spans: an entity counts as found only when its type,
first and last token all match, as in the CoNLL shared tasks' ``conlleval`` script.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_TAG = re.compile(r"^(?:O|[BI]-[A-Za-z][\w-]*)$")


class ConllError(ValueError):
    """A CoNLL file that cannot be read; the message names the file and, where one is to blame, the line."""

    def __init__(self, path: str | Path, message: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


def read_conll(path: str | Path) -> tuple[list[list[str]], list[list[str]]]:
    """Read a CoNLL ``token TAG`` file into ``(sentences of tokens, sentences of tags)``.

    Raises :class:`ConllError` naming the file and line for a missing file, a line that is not two
    fields, or a tag that is not ``O`` / ``B-X`` / ``I-X``.
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise ConllError(p, f"cannot read file ({e.strerror or e})") from e
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise ConllError(p, "not UTF-8 text", line) from e
    X: list[list[str]] = []
    y: list[list[str]] = []
    toks: list[str] = []
    tags: list[str] = []
    for n, line in enumerate(text.splitlines(), 1):
        fields = line.split()
        if not fields or fields[0] == "-DOCSTART-":
            if toks:
                X.append(toks)
                y.append(tags)
                toks, tags = [], []
            continue
        if len(fields) != 2:
            raise ConllError(p, f"expected 'token TAG', got {len(fields)} field(s): {line.strip()[:60]!r}", n)
        if not _TAG.match(fields[1]):
            raise ConllError(p, f"bad tag {fields[1][:30]!r} (want O, B-TYPE or I-TYPE)", n)
        toks.append(fields[0])
        tags.append(fields[1])
    if toks:
        X.append(toks)
        y.append(tags)
    if not X:
        raise ConllError(p, "no tokens found")
    return X, y


def write_conll(path: str | Path, X: Sequence[Sequence[str]], y: Sequence[Sequence[str]]) -> None:
    """Write sentences back out in ``token TAG`` form (blank line between sentences)."""
    with open(path, "w", encoding="utf-8") as f:
        for toks, tags in zip(X, y, strict=True):
            for tok, tag in zip(toks, tags, strict=True):
                f.write(f"{tok} {tag}\n")
            f.write("\n")


def entities(tags: Sequence[str]) -> list[tuple[str, int, int]]:
    """The entity chunks in one BIO sequence as ``(type, start, end)`` token spans, end exclusive.

    conlleval rules: ``B-X`` always opens a chunk; ``I-X`` opens one when the previous tag is not
    ``B-X``/``I-X`` of the same type (a stray ``I`` is an entity, not noise), and continues it otherwise.
    """
    out: list[tuple[str, int, int]] = []
    cur: str | None = None
    start = 0
    for i, tag in enumerate(tags):
        if tag == "O" or len(tag) < 3:
            prefix, typ = "O", None
        else:
            prefix, typ = tag[0], tag[2:]
        if cur is not None and (prefix != "I" or typ != cur):
            out.append((cur, start, i))
            cur = None
        if prefix == "B" or (prefix == "I" and cur is None):
            cur, start = typ, i
    if cur is not None:
        out.append((cur, start, len(tags)))
    return out


@dataclass
class PRF:
    """Counts and precision / recall / F1 for one entity type (or all of them)."""

    tp: int = 0
    n_pred: int = 0
    n_gold: int = 0

    @property
    def p(self) -> float:
        return self.tp / self.n_pred if self.n_pred else 0.0

    @property
    def r(self) -> float:
        return self.tp / self.n_gold if self.n_gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.p, self.r
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Scores:
    """Entity-level scores: micro over all types plus one :class:`PRF` per type."""

    micro: PRF
    per_type: dict[str, PRF] = field(default_factory=dict)
    tokens: int = 0
    # recall on gold names absent from the training data (cross-validation only): type -> PRF, "micro" too
    unseen: dict[str, PRF] = field(default_factory=dict)

    @property
    def micro_f1(self) -> float:
        return self.micro.f1

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` shape: ``{"micro_f1", "p", "r", "per_type": {T: {"p","r","f1","support"}}, "tokens"}``."""
        return {
            "micro_f1": round(self.micro.f1, 4),
            "p": round(self.micro.p, 4),
            "r": round(self.micro.r, 4),
            "per_type": {
                t: {"p": round(s.p, 4), "r": round(s.r, 4), "f1": round(s.f1, 4), "support": s.n_gold}
                for t, s in sorted(self.per_type.items())
            },
            "tokens": self.tokens,
            **(
                {"unseen_recall": {t: {"r": round(s.r, 4), "support": s.n_gold} for t, s in sorted(self.unseen.items())}}
                if self.unseen
                else {}
            ),
        }


def score(y_true: Iterable[Sequence[str]], y_pred: Iterable[Sequence[str]]) -> Scores:
    """Entity-level micro and per-type P/R/F1 of predicted against gold BIO sentences (CoNLL rules)."""
    micro = PRF()
    per: dict[str, PRF] = {}
    tokens = 0
    for gold, pred in zip(y_true, y_pred, strict=True):
        if len(gold) != len(pred):
            raise ValueError(f"sentence length mismatch: {len(gold)} gold tags, {len(pred)} predicted")
        tokens += len(gold)
        g = set(entities(gold))
        p = set(entities(pred))
        for typ, *_ in g:
            per.setdefault(typ, PRF()).n_gold += 1
        for typ, *_ in p:
            per.setdefault(typ, PRF()).n_pred += 1
        for typ, *_ in g & p:
            per[typ].tp += 1
        micro.n_gold += len(g)
        micro.n_pred += len(p)
        micro.tp += len(g & p)
    return Scores(micro=micro, per_type=per, tokens=tokens)


def contiguous_folds(n: int, k: int) -> list[tuple[list[int], list[int]]]:
    """``k`` (train, test) index splits of ``n`` sentences, each test fold a contiguous block.

    Contiguous rather than shuffled because documents in ANERcorp are runs of sentences: a shuffled
    split lets a document's names leak from train into test and flatters the score.
    """
    if not 2 <= k <= n:
        raise ValueError(f"need 2 <= folds <= {n} sentences, got {k}")
    bounds = [round(i * n / k) for i in range(k + 1)]
    out = []
    for i in range(k):
        test = list(range(bounds[i], bounds[i + 1]))
        train = list(range(0, bounds[i])) + list(range(bounds[i + 1], n))
        out.append((train, test))
    return out


def entity_keys(X: Sequence[Sequence[str]], y: Sequence[Sequence[str]], key: Callable[[str], str] = str) -> set[str]:
    """The names of ``X`` tagged in ``y``, each as its tokens through ``key`` joined by spaces."""
    return {" ".join(key(t) for t in toks[a:b]) for toks, tags in zip(X, y, strict=True) for _t, a, b in entities(tags)}


def add_unseen_recall(
    into: dict[str, PRF],
    seen: set[str],
    X: Sequence[Sequence[str]],
    gold: Sequence[Sequence[str]],
    pred: Sequence[Sequence[str]],
    key: Callable[[str], str] = str,
) -> None:
    """Count into ``into`` (per type and ``"micro"``) the gold names not in ``seen`` and how many were found.

    >>> acc = {}
    >>> add_unseen_recall(acc, {"a"}, [["a", "b"]], [["B-PERS", "B-LOC"]], [["B-PERS", "O"]])
    >>> {t: (s.tp, s.n_gold) for t, s in sorted(acc.items())}
    {'LOC': (0, 1), 'micro': (0, 1)}
    """
    for toks, g, p in zip(X, gold, pred, strict=True):
        found = set(entities(p))
        for ent in entities(g):
            if " ".join(key(t) for t in toks[ent[1] : ent[2]]) in seen:
                continue
            for name in (ent[0], "micro"):
                s = into.setdefault(name, PRF())
                s.n_gold += 1
                s.tp += ent in found
