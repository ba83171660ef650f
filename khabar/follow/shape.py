"""The stable shape of one alert match, shared by the list, the Atom feed and the webhook body."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from khabar.store import alerts as db
from khabar.store import entities as entity_db
from khabar.store.db import Store


def now_iso() -> str:
    """Now, UTC, to the second (how matches and deliveries are stamped)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def shape(store: Store, row: dict[str, Any]) -> dict[str, Any]:
    """One match as ``{"alert", "article", "story", "matched", "at"}`` (the story followed through merges)."""
    return {"alert": row["alert"], "article": row["article"],
            "story": entity_db.resolve_story(store, row["story"]), "matched": row["matched"], "at": row["at"]}


def payload(store: Store, match_id: int) -> tuple[str | None, bytes]:
    """The webhook URL and JSON body of one match (``None`` URL: the alert was removed or lost its hook)."""
    rows = db.matches(store, match_ids=[match_id], limit=1)
    if not rows:
        return None, b""
    r = rows[0]
    body = {"id": r["id"], **shape(store, r), "title": r["title"], "url": r["url"], "source": r["source"]}
    return r["webhook"], json.dumps(body, ensure_ascii=False).encode("utf-8")
