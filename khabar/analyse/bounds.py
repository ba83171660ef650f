"""The bound on analysis cost per article: only the first :data:`MAX_ANALYSED_CHARS` are analysed.

Every analysis step is linear in the text, but the CRF tagger costs about 8 CPU seconds per MB:
a legal 5 MB article would hold ingest (and the server's write lock) for most of a minute. The
longest of 1,173 real articles in ``../shared/data`` (SemEval-2022 Task 8, stories-dev) has
17,346 characters, the 99th percentile 7,191; 30,000 characters is 1.7 times the longest and keeps
a hostile article's whole analysis (entities, quotes, comparison profile, clustering features)
under a second. Beyond the cap the text is still stored whole and searchable; only its entities,
statements and comparison features are not looked for. The cut falls on the last line break (else space)
before the cap, so no word or sentence is cut in two when one can be kept whole.

>>> analysed_part("أ" * 10)
'أأأأأأأأأأ'
>>> len(analysed_part("كلمة " * 10_000)) <= MAX_ANALYSED_CHARS
True
"""

from __future__ import annotations

from khabar.text.bounds import cut_at_break

__all__ = ["MAX_ANALYSED_CHARS", "analysed_part"]

MAX_ANALYSED_CHARS = 30_000


def analysed_part(text: str, cap: int = MAX_ANALYSED_CHARS) -> str:
    """The prefix of ``text`` that analysis reads (offsets into it are offsets into ``text``)."""
    return cut_at_break(text, cap)
