"""A page per actor: ``GET /api/entities/{name}`` (``khabar entity NAME --json``) and ``/entity/{name}``.

The page shows the actor's names, stories, a denial timeline (every statement with stance, outlets
and date), the actors named beside it, and its articles per day as an inline SVG bar chart (no
script: the pages' CSP allows none). :data:`router` is included by :func:`khabar.serve.app.create_app`.

>>> c = volume_chart([{"day": "2026-01-01", "count": 2}, {"day": "2026-01-03", "count": 1}])
>>> [b["count"] for b in c["bars"]], c["bars"][0]["x"] > c["bars"][-1]["x"], c["unit"]
([2, 0, 1], True, 'day')
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from khabar.follow import entities as ent
from khabar.follow.actor import entity_page
from khabar.serve.format import MONTHS_AR, fmt_date
from khabar.serve.pages import page
from khabar.serve.pool import StoreDep
from khabar.store.db import Store

router = APIRouter()
#: Bars the chart draws at most: 120 stay readable at 880 px (about 6 px each); a longer span is
#: drawn by week, then by month.
CHART_BARS = 120
#: Longest name looked up (characters): a name is a few words; longer is not a name.
MAX_NAME = 200


def _page_data(request: Request, s: Store, name: str) -> dict[str, Any]:
    if len(name) > MAX_NAME:
        raise HTTPException(422, f"a name is at most {MAX_NAME} characters")
    if ent.needs_catch_up(s):  # a write: under the server's write lock, as posts are
        with request.app.state.stores.write_lock:
            ent.catch_up(s)
    found = entity_page(s, name, catch_up=False)
    if found is None:
        raise HTTPException(404, f"لا مقال يذكر {name}")
    return found


@router.get("/api/entities/{name:path}", tags=["entities"])
def entity_json(request: Request, name: str, s: StoreDep) -> dict[str, Any]:
    """One actor over time: ``{entity, type, names, stories, statements, with, by_day}``."""
    return _page_data(request, s, name)


@router.api_route("/entity/{name:path}", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False)
def entity_html(request: Request, name: str, s: StoreDep) -> HTMLResponse:
    found = _page_data(request, s, name)
    return page(request, "entity.html", {"e": found, "chart": volume_chart(found["by_day"])})


def _buckets(first: date, last: date) -> tuple[str, list[date]]:
    """The chart's unit and the start of each bar: days, else weeks, else months, whichever first fits
    in ``CHART_BARS`` bars (months beyond that: the latest ones)."""
    if (last - first).days < CHART_BARS:
        return "day", [first + timedelta(days=i) for i in range((last - first).days + 1)]
    monday = first - timedelta(days=first.weekday())
    if (last - monday).days // 7 < CHART_BARS:
        return "week", [monday + timedelta(weeks=i) for i in range((last - monday).days // 7 + 1)]
    months = (last.year - first.year) * 12 + last.month - first.month
    skip = max(0, months + 1 - CHART_BARS)
    out = []
    for i in range(skip, months + 1):
        y, m = divmod(first.month - 1 + i, 12)
        out.append(date(first.year + y, m + 1, 1))
    return "month", out


def _label(unit: str, start: date) -> str:
    return f"{MONTHS_AR[start.month - 1]} {start.year}" if unit == "month" else fmt_date(start.isoformat())


def volume_chart(by_day: list[dict[str, Any]], width: int = 880, height: int = 160) -> dict[str, Any]:
    """Bars of articles per day (per week or month over a longer span), empty ones too, the oldest on
    the right (the page reads right to left)."""
    counts = {date.fromisoformat(d["day"]): d["count"] for d in by_day}
    if not counts:
        return {"width": width, "height": height, "bars": [], "ticks": [], "unit": "day", "cut": 0}
    unit, starts = _buckets(min(counts), max(counts))
    per = [0] * len(starts)
    cut = 0
    for d, n in counts.items():
        i = bisect_right(starts, d) - 1
        if i < 0:
            cut += n
        else:
            per[i] += n
    top, axis_y, pad = max(per) or 1, height - 28, 12
    step = (width - 2 * pad) / len(starts)
    bars = []
    for i, (start, n) in enumerate(zip(starts, per, strict=True)):
        h = round((axis_y - 16) * n / top, 1)
        bars.append({"x": round(width - pad - (i + 1) * step + step * 0.1, 1), "w": round(step * 0.8, 1),
                     "y": round(axis_y - h, 1), "h": h, "count": n, "label": _label(unit, start)})
    shown = sorted({0, len(bars) - 1} | ({len(bars) // 2} if len(bars) > 2 else set()))
    # the outermost labels anchored inwards (right-to-left text: "start" is its right end), never cut off
    ticks = [{"x": round(bars[i]["x"] + bars[i]["w"] / 2, 1), "label": bars[i]["label"],
              "anchor": "start" if i == 0 and len(bars) > 1 else "end" if i == len(bars) - 1 and i else "middle"}
             for i in shown]
    return {"width": width, "height": height, "axis_y": axis_y, "bars": bars, "ticks": ticks, "max": top,
            "unit": unit, "cut": cut}
