"""The word lists of ``khabar/data/`` and the Arabic function-word sets, each defined once.

Every list is read here, once (cached), in one of two shapes:

* one entry a line (``stopwords_ar.txt``, ``noclitic_ar.txt``, ``gazetteer_*.txt``): :func:`entries`
  and :func:`words` give the entries in matching form (:func:`khabar.text.normalize.normalize`), the
  lists say "any spelling"; ``#`` starts a comment, on its own line or after an entry;
* tables, one ``cell<TAB>cell…`` row a line (``roles_ar.tsv``, ``reporting_verbs_ar.tsv``,
  ``quote_stance_ar.tsv``): :func:`rows` gives the cells as written (stripped), whole-line ``#``
  comments dropped; :func:`kinds` reads a ``word<TAB>kind`` table with its words in matching form.

``boilerplate.tsv`` holds regexes, not words: :mod:`khabar.read.clean` reads it with its own rules.

The function-word sets below are in matching form. Where the entity rules and the quote rules
had two versions of a set, the set is their union.

>>> "ان" in COMPS and "بين" in PREPS
True
>>> sorted(kinds("quote_stance_ar.tsv"))
['keep', 'particle', 'phrase']
>>> "في" in words("stopwords_ar.txt")
True
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from khabar.text.normalize import normalize

__all__ = [
    "COMPS", "KAN", "NAME_COLLIDE", "NAME_PARTICLES", "NP_STOP", "PREPS", "RELATIVE", "TIME",
    "entries", "kinds", "rows", "words",
]


def _lines(name: str) -> list[str]:
    return (resources.files("khabar") / "data" / name).read_text(encoding="utf-8").splitlines()


@cache
def entries(name: str) -> tuple[str, ...]:
    """The entries of the one-a-line list ``khabar/data/NAME`` in matching form, in file order.

    >>> entries("gazetteer_orgs.txt")[:2]
    ('الامم المتحده', 'مجلس الامن')
    """
    out = []
    for line in _lines(name):
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(normalize(line))
    return tuple(out)


@cache
def words(name: str) -> frozenset[str]:
    """:func:`entries` of ``khabar/data/NAME`` as a set, for lookups."""
    return frozenset(entries(name))


@cache
def rows(name: str) -> tuple[tuple[str, ...], ...]:
    """The rows of the table ``khabar/data/NAME``: tab-separated cells, stripped, as written.

    >>> rows("reporting_verbs_ar.tsv")[0]
    ('قال', 'قال', 'asserts', 'verb', '-')
    """
    return tuple(
        tuple(c.strip() for c in line.split("\t"))
        for line in _lines(name)
        if line.strip() and not line.lstrip().startswith("#")
    )


@cache
def kinds(name: str) -> dict[str, tuple[str, ...]]:
    """A ``word<TAB>kind`` table by kind: its words in matching form, in file order."""
    by: dict[str, list[str]] = {}
    for row in rows(name):
        by.setdefault(row[1], []).append(normalize(row[0]))
    return {k: tuple(v) for k, v in by.items()}


def _set(ws: str) -> frozenset[str]:
    return frozenset(normalize(w) for w in ws.split())


# --- function words (matching form) ----------------------------------------------------------------

# Complementizers that open reported content (قال إن …, أكد أنه …).
COMPS = _set(
    "أن إن أنه إنه أنها إنها أنهم إنهم أنهما إنهما أننا إننا أنني إنني أنك بأن بأنه بأنها بأنهم بأنهما"
    " بأننا فإن"
)
# Prepositions: after one a cue word is a noun (حول رفض …); before one a name or noun phrase ends.
PREPS = _set(
    "في خلال عبر على علي مع عن أمام من إلى الى بعد قبل حول منذ لدى أثناء ضمن بين عند وسط حيال بشأن"
)
# Words that open a clause before its subject (وكان الرئيس … قد أكد، ثم قال): skipped to reach it.
KAN = _set("كان كانت وكان وكانت فكان و لكن ولكن ثم بينما فيما حيث كما")
# Time words and sentence adverbs: never part of a speaker's name or description.
TIME = _set(
    "اليوم أمس الأمس غدا مساء صباح ظهر ليلة الليلة فجر الأحد الاثنين الإثنين الثلاثاء الأربعاء الخميس"
    " الجمعة السبت مؤخرا سابقا لاحقا أيضا كذلك بدوره بدورها"
)
# Words that end a name or a speaker's noun phrase (relative pronouns, auxiliaries, quantifiers).
NP_STOP = _set("الذي التي الذين اللذين أحد إحدى وهو وهي قد كان كانت وكان ما كل أي اليوم أمس")
RELATIVE = _set("الذي التي الذين اللذين اللتين اللواتي اللاتي")
# Particles inside personal names (محمد بن سلمان، عبد العال): a surname may be two words.
NAME_PARTICLES = _set("بن ابن بنت أبو أبي آل عبد")
# Names whose matching form is a function word's (علي = على، إمام = أمام): told apart as written,
# so these are written forms, not matching forms.
NAME_COLLIDE = frozenset({"علي", "إمام"})
