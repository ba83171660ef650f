"""The verdict cuts: one place, and the boundaries fall on the right side."""

from __future__ import annotations

from khabar.compare import verdict as S


def test_verdict_thresholds():
    assert S.verdict(1.0) == "same story"
    assert S.verdict(S.SAME_STORY) == "related"
    assert S.verdict(S.DIFFERENT - 0.01) == "related"
    assert S.verdict(S.DIFFERENT) == "different"
