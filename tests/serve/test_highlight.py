"""Highlighted text: escaped first, then marked; the spans of a comparison's evidence."""

from __future__ import annotations

from khabar.serve.highlight import compare_spans, highlight


def test_highlight_escapes_then_wraps():
    text = "<b>جيش</b> الإسلام & الغوطة"
    out = highlight(text, [(0, 10, "passage:1", 'p "1"'), (3, 6, "entity", "<e>"), (11, 18, "entity", "")])
    assert str(out).startswith('<sup class="pnum">1</sup><mark class="hl hl-passage" data-p="1" title="p &#34;1&#34;">&lt;b&gt;')
    assert '<mark class="hl hl-entity hl-passage" data-p="1" title="p &#34;1&#34; · &lt;e&gt;">جيش</mark>' in out
    assert '<mark class="hl hl-entity">الإسلام</mark> &amp; الغوطة' in out
    assert "<b>" not in out
    assert str(highlight("a<b", [(5, 9, "entity", ""), (2, 1, "entity", "")])) == "a&lt;b"  # bad spans dropped


def test_compare_spans_use_offsets_and_fall_back_to_text():
    text = "نفى جيش الإسلام المفاوضات. وقال بيرقدار إن الغوطة باقية."
    cmp = {"evidence": {"passages": [{"a": {"start": 0, "end": 26, "text": text[0:26]}, "b": {}, "score": 0.9},
                                     {"a": {"start": 99, "end": 120, "text": "وقال بيرقدار"}, "b": {}}],
                        "shared_entities": [{"entity": "جيش الإسلام", "type": "ORG", "a": ["جيش الإسلام"], "b": []}]}}
    spans = compare_spans(text, cmp, "a")
    assert (0, 26, "passage:1", "مقطع 1 (تقارب 0.90)") in spans
    assert (27, 39, "passage:2", "مقطع 2") in spans  # offset off the text: found by its words
    assert (4, 15, "entity", "جيش الإسلام (منظمة)") in spans
    assert compare_spans(text, cmp, "b") == []  # the other side shares nothing written here


def test_compare_spans_mark_shared_quotes_and_figures():
    text = "قال الوزير إن 300 أسرة عادت يوم 21 مارس."
    cmp = {"evidence": {"shared_quotes": [{"a": {"start": 0, "end": 10, "speaker": "الوزير"}}],
                        "shared_numbers": [{"value": "300", "a": "300"}], "shared_dates": ["21 مارس"]}}
    spans = compare_spans(text, cmp, "a")
    assert (0, 10, "quote", "قول مشترك — الوزير") in spans
    assert (14, 17, "figure", "رقم أو تاريخ مشترك") in spans
    assert len(spans) == 2  # a date without per-side forms is not searched for
