"""The story timeline's SVG geometry: one row per source, time running right (oldest) to left.

The template draws what :func:`timeline_svg_data` computes; nothing here is markup.

>>> tl = timeline_svg_data([{"id": "a", "source": "x.com", "when": "2018-03-20"},
...                         {"id": "b", "source": "x.com", "when": None}])
>>> len(tl["dots"]), tl["undated"], tl["rows"][0]["source"], tl["with_time"]
(1, 1, 'x.com', False)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from khabar.serve.format import MONTHS_AR, fmt_date, fmt_datetime, when
from khabar.text.dates import has_time

LABEL_W, PAD = 190, 24  # px: the source labels' column on the right; the margin on the left
FAN = 8  # px: dots this close in one row fan out vertically by this much
# Stories shorter than this show the time of day (ticks, article dates): within two days the day
# alone cannot order the reports, and over longer spans hours would only crowd the axis.
TIME_OF_DAY_SPAN = timedelta(days=2)


def timeline_svg_data(articles: list[dict[str, Any]], width: int = 880, row: int = 46) -> dict[str, Any]:
    """Geometry for the story timeline: one row per source, time running right (oldest) to left.

    ``articles`` carry ``id``, ``title``, ``source`` and ``when`` (ISO string). Articles without a
    date are left out of the drawing and counted in ``undated``.
    """
    x_right, x_left = width - LABEL_W - PAD, PAD
    dated = [(a, when(a.get("when"))) for a in articles]
    undated = sum(1 for _, w in dated if w is None)
    dated = [(a, w) for a, w in dated if w is not None]
    sources = sorted({a.get("source") or "—" for a, _ in dated},
                     key=lambda s: min(w for a, w in dated if (a.get("source") or "—") == s))
    height = 30 + row * max(1, len(sources)) + 40
    frame = {"width": width, "height": height, "undated": undated, "axis_y": height - 40, "x_left": x_left,
             "x_right": x_right, "label_x": width - 8}
    if not dated:
        return {**frame, "rows": [], "dots": [], "ticks": [], "with_time": False}
    t0, t1 = min(w for _, w in dated), max(w for _, w in dated)
    # a story of less than two days is told by the hour, when some article says at what time
    with_time = t1 - t0 < TIME_OF_DAY_SPAN and any(has_time(a.get("when")) for a, _ in dated)
    if t1 - t0 < timedelta(hours=2):  # one moment: centre it, with an hour (a day, undated by the hour) either side
        pad = timedelta(hours=1) if with_time else timedelta(days=1)
        t0, t1 = t0 - pad, t1 + pad
    span = (t1 - t0).total_seconds()

    def x(w: datetime) -> float:
        return round(x_right - (w - t0).total_seconds() / span * (x_right - x_left), 1)

    rows = [{"source": s, "label": s if len(s) <= 24 else s[:22] + "…", "y": 30 + row * i + row / 2}
            for i, s in enumerate(sources)]
    return {**frame, "rows": rows, "dots": _dots(dated, {r["source"]: r["y"] for r in rows}, x),
            "ticks": _ticks(t0, t1, x, x_left, with_time), "with_time": with_time}


def _dots(dated: list[tuple[dict[str, Any], datetime]], y_of: dict[str, float], x: Callable[[datetime], float],
          ) -> list[dict[str, Any]]:
    dots, taken = [], {}
    for a, w in sorted(dated, key=lambda t: t[1]):
        src = a.get("source") or "—"
        cx = x(w)
        # Dots at the same place in one row fan out vertically instead of hiding each other.
        slot = taken.setdefault((src, round(cx / FAN)), 0)
        taken[(src, round(cx / FAN))] += 1
        dy = 0 if slot == 0 else (1 if slot % 2 else -1) * FAN * math.ceil(slot / 2)
        dots.append({"id": a["id"], "title": a.get("title") or "", "source": src, "cx": cx,
                     "cy": y_of[src] + dy, "label": fmt_datetime(a.get("when")), "estimated": a.get("estimated")})
    return dots


def _ticks(t0: datetime, t1: datetime, x: Callable[[datetime], float], x_left: float,
           with_time: bool = False) -> list[dict[str, Any]]:
    """Five ticks; by the hour (in the zone of the earliest article) when ``with_time``."""
    ticks: list[dict[str, Any]] = []
    for i in range(5):
        w = t0 + (t1 - t0) * i / 4
        label = f"{w.day} {MONTHS_AR[w.month - 1]}، {w:%H:%M}" if with_time else fmt_date(w.isoformat())
        if not ticks or ticks[-1]["label"] != label:  # a short span: one tick per day shown
            ticks.append({"x": x(w), "label": label, "anchor": "middle"})
    # The outermost labels are anchored inwards so they are not cut off at the picture's edges
    # (labels are right-to-left text: "start" is their right end).
    ticks[0]["anchor"] = "start"
    if len(ticks) > 1 and ticks[-1]["x"] <= x_left + 60:
        ticks[-1]["anchor"] = "end"
    return ticks
