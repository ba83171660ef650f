"""CSV answers of the API's lists: ``/api/stories.csv``, ``/api/search.csv``, and whole-table exports
``/api/articles.csv``, ``/api/members.csv``, ``/api/statements.csv`` (as ``khabar export``); and the
front page's ranking as data, ``/api/moving`` (JSON) and ``/api/moving.csv``.

The same filters as the JSON routes, the same columns as ``khabar export``, the same CSV (UTF-8 with
a byte-order mark, formula-like cells neutralised: :mod:`khabar.follow.exports`). Table exports
stream from a connection of their own, held only while the rows are sent, so a large store never
sits in memory. :data:`router` is included by :func:`khabar.serve.app.create_app`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from khabar.follow.exports import COLUMNS, csv_lines, rows
from khabar.serve import alerts, api, front
from khabar.serve.models import MAX_INT
from khabar.serve.pool import StoreDep

router = APIRouter()

_CSV = "text/csv; charset=utf-8"
_SEARCH_COLUMNS = ("id", "title", "score", "source", "published")
_DOC: dict[str, Any] = {"response_class": StreamingResponse,
                        "responses": {200: {"content": {"text/csv": {}}, "description": "CSV, UTF-8 with BOM"}}}


def _csv(lines: Iterator[str], name: str) -> StreamingResponse:
    return StreamingResponse((line.encode("utf-8") for line in lines), media_type=_CSV,
                             headers={"Content-Disposition": f'attachment; filename="{name}.csv"',
                                      "X-Content-Type-Options": "nosniff"})


# Each CSV route takes its JSON twin as a dependency: the same query parameters, validated once.
Stories = Annotated[list[dict[str, Any]], Depends(api.get_stories)]
Matches = Annotated[list[dict[str, Any]], Depends(alerts.list_matches)]
Found = Annotated[list[dict[str, Any]], Depends(api.get_search)]


@router.get("/api/stories.csv", tags=["stories"], **_DOC)
def stories_csv(found: Stories) -> StreamingResponse:
    """``GET /api/stories`` as CSV: ``id, headline, size, sources, first_seen, last_seen``."""
    return _csv(csv_lines(COLUMNS["stories"], found), "stories")


@router.get("/api/alerts.csv", tags=["alerts"], **_DOC)
def alerts_csv(found: Matches) -> StreamingResponse:
    """``GET /api/alerts`` as CSV: ``alert, article, story, matched, at``."""
    return _csv(csv_lines(("alert", "article", "story", "matched", "at"), found), "alerts")


@router.get("/api/search.csv", tags=["articles"], **_DOC)
def search_csv(found: Found) -> StreamingResponse:
    """``GET /api/search`` as CSV: ``id, title, score, source, published``."""
    return _csv(csv_lines(_SEARCH_COLUMNS, found), "search")


def _table(request: Request, kind: str, since: date | None, source: str | None) -> StreamingResponse:
    stores = request.app.state.stores

    def lines() -> Iterator[str]:
        # borrowed here, not by a dependency: the connection must outlive the route, until the last row
        with stores.borrow() as store:
            yield from csv_lines(COLUMNS[kind], rows(store, kind, since=since.isoformat() if since else None,
                                                     source=source or None))

    return _csv(lines(), kind)


_SINCE = Annotated[date | None, Query(description="Only what was seen on or after this date")]
_SOURCE = Annotated[str | None, Query(description="Only this outlet's rows")]


@router.get("/api/articles.csv", tags=["articles"], **_DOC)
def articles_csv(request: Request, since: _SINCE = None, source: _SOURCE = None) -> StreamingResponse:
    """Every stored article (as ``khabar export articles``), streamed."""
    return _table(request, "articles", since, source)


@router.get("/api/members.csv", tags=["stories"], **_DOC)
def members_csv(request: Request, since: _SINCE = None, source: _SOURCE = None) -> StreamingResponse:
    """Every story membership (as ``khabar export members``), streamed."""
    return _table(request, "members", since, source)


@router.get("/api/statements.csv", tags=["articles"], **_DOC)
def statements_csv(request: Request, since: _SINCE = None, source: _SOURCE = None) -> StreamingResponse:
    """Every statement, the speaker as written (as ``khabar export statements``), streamed."""
    return _table(request, "statements", since, source)


_MOVING_COLUMNS = ("id", "headline", "size", "sources", "first_seen", "last_seen", "outlets", "recent_outlets",
                   "recent", "previous", "growth")


def _moving(s: Any, view: str, entity: str, limit: int, offset: int) -> list[dict[str, Any]]:
    found = front.front_stories(s, view=view, entity=entity, q="", lang="", source="", since=None, limit=limit,
                                offset=offset)
    return [{c: r[c] for c in _MOVING_COLUMNS} for r in found]


_VIEW = Annotated[str, Query(pattern="^(moving|24h|newest)$", description="moving (ranked), 24h or newest")]
_ENTITY = Annotated[str, Query(max_length=front.ENTITY_CHARS, description="Only stories naming this entity")]


@router.get("/api/moving", tags=["stories"])
def moving_json(s: StoreDep, view: _VIEW = "moving", entity: _ENTITY = "",
                limit: Annotated[int, Query(ge=1, le=500)] = 50,
                offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0) -> list[dict[str, Any]]:
    """The front page's list: stories ranked by distinct outlets in the last 24 hours, then growth."""
    return _moving(s, view, entity, limit, offset)


@router.get("/api/moving.csv", tags=["stories"], **_DOC)
def moving_csv(s: StoreDep, view: _VIEW = "moving", entity: _ENTITY = "",
               limit: Annotated[int, Query(ge=1, le=500)] = 50,
               offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0) -> StreamingResponse:
    """``GET /api/moving`` as CSV."""
    return _csv(csv_lines(_MOVING_COLUMNS, _moving(s, view, entity, limit, offset)), "moving")
