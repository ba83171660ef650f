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


def test_a_story_of_less_than_two_days_is_shown_by_the_hour():
    tl = timeline_svg_data([
        {"id": "a", "source": "x.com", "when": "2023-02-06T09:15:00+02:00"},  # 07:15 UTC: the first
        {"id": "b", "source": "y.com", "when": "2023-02-06T08:00:00+00:00"},
        {"id": "c", "source": "x.com", "when": "2023-02-07T13:00:00+00:00"},
    ])
    dots = {d["id"]: d for d in tl["dots"]}
    assert tl["with_time"] and dots["a"]["cx"] > dots["b"]["cx"] > dots["c"]["cx"]  # real time, right to left
    assert dots["a"]["label"] == "6 فبراير 2023، 09:15"  # as the source wrote it, in its own zone
    assert all(":" in t["label"] for t in tl["ticks"]) and tl["ticks"][0]["label"] == "6 فبراير، 09:15"
    assert len({t["label"] for t in tl["ticks"]}) == len(tl["ticks"]) > 2
    # two days or more, or no article that says at what time: by the day
    longer = timeline_svg_data([{"id": "a", "source": "x", "when": "2023-02-06T09:15:00+02:00"},
                                {"id": "b", "source": "x", "when": "2023-02-08T09:15:00+02:00"}])
    assert not longer["with_time"] and all(":" not in t["label"] for t in longer["ticks"])
    dates = timeline_svg_data([{"id": "a", "source": "x", "when": "2023-02-06"},
                               {"id": "b", "source": "x", "when": "2023-02-07"}])
    assert not dates["with_time"]
    moment = timeline_svg_data([{"id": "a", "source": "x", "when": "2023-02-06T09:15:00+02:00"}])
    assert moment["with_time"] and moment["ticks"][0]["label"] == "6 فبراير، 08:15"  # an hour either side
