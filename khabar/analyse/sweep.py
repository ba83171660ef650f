"""Span questions asked in text order, answered in amortised constant time (a forward sweep).

The quote rules ask, for each reporting cue in turn, whether it sits inside a span already taken
or inside a quote. Scanning every span for every cue is quadratic in the article (a long article
has thousands of both); the cues come in text order, so one sweep answers them all.

>>> s = SpanSweep()
>>> s.add(5, 10)
>>> [s.covers(p) for p in (4, 5, 9, 10)]
[False, True, True, False]
>>> q = QuoteSweep('قال: "لا مفاوضات الآن أبدا" ثم "نعم"', [(5, 26), (31, 35)])
>>> q.inside(10), q.inside(33)
((5, 26), None)
>>> outer_length([(0, 10), (2, 5), (12, 14)])
12
"""

from __future__ import annotations

import heapq

__all__ = ["QuoteSweep", "SpanSweep", "outer_length"]


class SpanSweep:
    """Spans ``[a, b)`` added at any time; :meth:`covers` asked at non-decreasing positions.

    A position asked out of order falls back to a scan, so the answer is always exact.
    """

    def __init__(self) -> None:
        self.spans: list[tuple[int, int]] = []
        self._pending: list[tuple[int, int]] = []  # heap by start of spans not yet reached
        self._reach = -1  # the furthest end of the spans reached so far
        self._pos = -1

    def add(self, a: int, b: int) -> None:
        self.spans.append((a, b))
        heapq.heappush(self._pending, (a, b))

    def covers(self, pos: int) -> bool:
        """Does an added span hold ``pos`` (``a <= pos < b``)?"""
        if pos < self._pos:
            return any(a <= pos < b for a, b in self.spans)
        self._pos = pos
        while self._pending and self._pending[0][0] <= pos:
            self._reach = max(self._reach, heapq.heappop(self._pending)[1])
        return self._reach > pos


class QuoteSweep:
    """The smallest quote of at least ``min_words`` words holding a position (:meth:`Doc.in_quote`),
    for positions asked in non-decreasing order."""

    def __init__(self, text: str, quotes: list[tuple[int, int]], min_words: int = 3) -> None:
        self.text, self.quotes, self.min_words = text, quotes, min_words
        self._order = sorted(range(len(quotes)), key=lambda k: quotes[k][0])
        self._next = 0
        self._heap: list[tuple[int, int]] = []  # (length, index) of quotes opened before the position
        self._pos = -1

    def _long_enough(self, o: int, c: int) -> bool:
        # counting stops at min_words: a huge quote costs no more than a short one
        return len(self.text[o + 1 : c].split(maxsplit=self.min_words)) >= self.min_words

    def inside(self, pos: int) -> tuple[int, int] | None:
        """The shortest (first among equals) quote ``(o, c)`` with ``o < pos < c``, or None."""
        if pos < self._pos:
            best = None
            for o, c in self.quotes:
                if o < pos < c and self._long_enough(o, c) and (best is None or c - o < best[1] - best[0]):
                    best = (o, c)
            return best
        self._pos = pos
        while self._next < len(self._order) and self.quotes[self._order[self._next]][0] < pos:
            k = self._order[self._next]
            o, c = self.quotes[k]
            if self._long_enough(o, c):
                heapq.heappush(self._heap, (c - o, k))
            self._next += 1
        # a quote that closed before this position is closed for every later one too
        while self._heap and self.quotes[self._heap[0][1]][1] <= pos:
            heapq.heappop(self._heap)
        return self.quotes[self._heap[0][1]] if self._heap else None


def outer_length(spans: list[tuple[int, int]]) -> int:
    """Total length of the spans not held in another one opening strictly before them."""
    total, reach, k = 0, -1, 0
    spans = sorted(spans)
    while k < len(spans):
        o = spans[k][0]
        group = k
        while k < len(spans) and spans[k][0] == o:
            if spans[k][1] > reach:
                total += spans[k][1] - o
            k += 1
        reach = max([reach] + [c for _, c in spans[group:k]])
    return total
