"""Alert routes: ``GET /api/alerts`` (the ``khabar alerts --json`` list) and the Atom feed ``/alerts.atom``.

Reading only: a GET never marks a match read (``khabar alerts --new`` does), so any number of feed
readers and clients can poll. :data:`router` is included by :func:`khabar.serve.app.create_app`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from khabar.follow import alerts as follow
from khabar.follow.atom import atom_feed
from khabar.serve.pool import StoreDep

router = APIRouter()
#: Entries in the feed: readers poll it, and a feed holds the recent matches, not the archive.
FEED_SIZE = 100


@router.get("/api/alerts", tags=["alerts"])
def list_matches(
    s: StoreDep,
    new: Annotated[bool, Query(description="Only matches not read yet (never marks them read).")] = False,
    alert: Annotated[str | None, Query(max_length=200, description="Only this alert's matches.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    """Alert matches, newest first: ``[{alert, article, story, matched, at}]``."""
    rows = follow.feed_rows(s, limit=limit, unread=new, alert=alert)
    return [{k: r[k] for k in ("alert", "article", "story", "matched", "at")} for r in rows]


@router.get("/api/alerts/rules", tags=["alerts"])
def list_rules(s: StoreDep) -> list[dict[str, Any]]:
    """The saved alerts (as ``khabar alert list --json``)."""
    return follow.list_alerts(s)


@router.api_route("/alerts.atom", methods=["GET", "HEAD"], tags=["alerts"])
def alerts_feed(request: Request, s: StoreDep) -> Response:
    """The latest matches as an Atom 1.0 feed."""
    body = atom_feed(follow.feed_rows(s, limit=FEED_SIZE), str(request.base_url))
    return Response(body, media_type="application/atom+xml; charset=utf-8",
                    headers={"X-Content-Type-Options": "nosniff"})
