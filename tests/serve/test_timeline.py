"""The story timeline's geometry."""

from __future__ import annotations

from khabar.serve.timeline import timeline_svg_data


def test_timeline_runs_oldest_right_one_row_per_source():
    tl = timeline_svg_data([
        {"id": "a", "title": "t", "source": "x.com", "when": "2018-03-20"},
        {"id": "b", "title": "t", "source": "y.com", "when": "2018-03-22T12:00:00"},
        {"id": "c", "title": "t", "source": "x.com", "when": "2018-03-22T12:00:00"},
        {"id": "d", "title": "t", "source": "y.com", "when": None},
    ])
    dots = {d["id"]: d for d in tl["dots"]}
    assert dots["a"]["cx"] > dots["b"]["cx"] == dots["c"]["cx"]  # later is further left
    assert [r["source"] for r in tl["rows"]] == ["x.com", "y.com"] and tl["undated"] == 1
    assert dots["a"]["cy"] == dots["c"]["cy"] != dots["b"]["cy"]
    assert tl["ticks"][0]["label"] == "20 مارس 2018"
    same = timeline_svg_data([{"id": "a", "source": "x", "when": "2018-03-20"}, {"id": "b", "source": "x", "when": "2018-03-20"}])
    assert same["dots"][0]["cx"] == same["dots"][1]["cx"] and same["dots"][0]["cy"] != same["dots"][1]["cy"]


def test_timeline_without_dates_draws_an_empty_frame():
    tl = timeline_svg_data([{"id": "a", "source": "x", "when": None}])
    assert tl["rows"] == tl["dots"] == tl["ticks"] == [] and tl["undated"] == 1
    assert tl["axis_y"] == tl["height"] - 40 and tl["x_left"] < tl["x_right"] < tl["label_x"] == tl["width"] - 8
