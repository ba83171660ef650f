"""What a comparison score means: the verdict cuts, defined once (the CLI, the API and the pages use them).

Scores are on the SemEval-2022 Task 8 scale: 1 = the same story … 4 = very different. The cuts
maximise the macro-F1 of the three gold classes Overall 1–2 / 3 / 4 on grouped 5-fold
cross-validated predictions of the training pairs; they sit above the class midpoints (2.5, 3.5) on
the low side because a regressor pulls its predictions toward the mean.

>>> verdict(1.4), verdict(3.0), verdict(3.9)
('same story', 'related', 'different')
"""

from __future__ import annotations

__all__ = ["DIFFERENT", "SAME_STORY", "verdict"]

#: Overall below this: the two articles report the same story.
SAME_STORY = 2.7
#: Overall at or above this: different stories; in between: related (same topic, place, people).
DIFFERENT = 3.4


def verdict(overall: float) -> str:
    """``same story`` / ``related`` / ``different`` for an overall score."""
    if overall < SAME_STORY:
        return "same story"
    if overall < DIFFERENT:
        return "related"
    return "different"
