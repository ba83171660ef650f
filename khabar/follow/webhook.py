"""Webhook delivery from the outbox, after the commit: one POST per match, retried with backoff.

A match and its outbox row are written in the transaction that stores the article; delivery runs
after it commits (``store_batch`` calls :func:`deliver_due`; ``khabar alerts deliver`` runs it by
hand), so a receiver that is down, or a crash, delays a match and never loses it. Delivery is at
least once: each body carries the match ``id`` for the receiver to drop a repeat.

>>> backoff(0), backoff(1), backoff(20)
(30, 60, 3600)
>>> check_url("ftp://x")
Traceback (most recent call last):
...
ValueError: a webhook is an http(s) URL, not 'ftp://x'
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from khabar.follow.shape import payload
from khabar.store import alerts as db
from khabar.store.db import Store

#: First retry after this many seconds, doubling each failure: a receiver restarting gets time to come back.
BACKOFF_BASE = 30
#: Never wait longer than an hour between tries: a match is kept until delivered, and an hour late is still news.
BACKOFF_MAX = 3600
#: Seconds one POST may take; ingest (and a post to the server) waits on it after each batch.
TIMEOUT = 3.0
#: Deliveries per call, and seconds after which a call starts no more: together they bound what one
#: batch waits on (about BUDGET + TIMEOUT); the rest go on the next call.
PER_CALL = 20
BUDGET = 3.0
#: A claimed delivery is left alone by other processes this long (longer than the POST can take).
LEASE = timedelta(seconds=60)


def backoff(attempts: int) -> int:
    """Seconds before the next try after ``attempts`` failures."""
    return min(BACKOFF_BASE * 2 ** min(attempts, 20), BACKOFF_MAX)


def check_url(url: str) -> str:
    """``url`` if it is an http(s) URL with a host, else ``ValueError``."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"a webhook is an http(s) URL, not {url!r}")
    return url.strip()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a redirected POST is a failed delivery, not a silent GET elsewhere


_OPENER = urllib.request.build_opener(_NoRedirect)


def post(url: str, body: bytes, timeout: float = TIMEOUT) -> str | None:
    """POST ``body`` as JSON; ``None`` on a 2xx answer, else the reason."""
    req = urllib.request.Request(url, data=body, method="POST",
                                 headers={"Content-Type": "application/json; charset=utf-8",
                                          "User-Agent": "khabar-alerts"})
    try:
        with _OPENER.open(req, timeout=timeout) as resp:
            if 200 <= resp.status < 300:
                return None
            return f"HTTP {resp.status}"
    except urllib.error.HTTPError as e:
        return f"HTTP {e.code}"
    except (urllib.error.URLError, OSError, ValueError) as e:
        return f"{type(e).__name__}: {getattr(e, 'reason', e)}"


def deliver_due(store: Store, now: datetime | None = None, limit: int = PER_CALL) -> dict[str, int]:
    """Try each due delivery once (within ``BUDGET``); ``{"delivered", "failed"}`` (and ``"left"``). Does nothing inside a transaction
    (the matches are not committed yet: the outer caller delivers after it commits)."""
    out = {"delivered": 0, "failed": 0}
    if store.db.in_transaction:
        return out
    now = now or datetime.now(UTC)
    stamp = now.isoformat(timespec="seconds")
    if not db.any_due(store, stamp):
        return out
    started = time.monotonic()
    claimed = db.claim_due(store, stamp, (now + LEASE).isoformat(timespec="seconds"), limit)
    for n, (match_id, attempts) in enumerate(claimed):
        if time.monotonic() - started > BUDGET:  # the rest wait for the next call (their lease ends)
            out["left"] = len(claimed) - n
            break
        url, body = payload(store, match_id)
        error = post(url, body) if url else None  # no hook any more: nothing to deliver
        if error is None:
            db.delivered(store, match_id, datetime.now(UTC).isoformat(timespec="seconds"))
            out["delivered"] += 1
        else:
            retry = now + timedelta(seconds=backoff(attempts))
            db.failed(store, match_id, retry.isoformat(timespec="seconds"), error)
            out["failed"] += 1
    return out
