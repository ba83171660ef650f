"""Webhooks: one POST per match after the commit, to a real receiver on 127.0.0.1 that fails first."""

from __future__ import annotations

import json
import socket
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from khabar.follow import alerts
from khabar.follow.webhook import BACKOFF_BASE, backoff, deliver_due
from khabar.pipeline import ingest
from khabar.store import alerts as db
from khabar.store.db import Store


class Receiver:
    """A webhook receiver answering the statuses in ``script`` in turn (then 200), keeping every body."""

    def __init__(self, script: list[int]) -> None:
        self.script, self.bodies, self.statuses = list(script), [], []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = outer.script.pop(0) if outer.script else 200
                outer.bodies.append(json.loads(body))
                outer.statuses.append(status)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver([500, 503])
    yield r
    r.close()


def test_a_failed_delivery_is_retried_with_backoff_until_it_arrives(tmp_path, examples_dir, receiver):
    with Store(tmp_path / "k.db") as s:
        alerts.add_alert(s, speaker="حمزة بيرقدار", stance="denies", name="denials", webhook=receiver.url)
        ids = ingest(examples_dir, s, batch_size=1).ids  # each batch delivers after its commit
        # two matches: the first POST failed (500), the second got 503 …
        assert receiver.statuses == [500, 503]
        assert all(row["delivered_at"] is None and row["attempts"] == 1 for row in db.outbox(s))
        assert deliver_due(s) == {"delivered": 0, "failed": 0}  # … and wait for their backoff
        later = datetime.now(UTC) + timedelta(seconds=BACKOFF_BASE + 1)
        assert deliver_due(s, now=later) == {"delivered": 2, "failed": 0}
        assert deliver_due(s, now=later + timedelta(hours=2)) == {"delivered": 0, "failed": 0}
    delivered = receiver.bodies[2:]
    assert sorted(b["article"] for b in delivered) == sorted(ids)
    for b in delivered:
        assert b["alert"] == "denials" and b["matched"]["statement"]["stance"] == "denies"
        assert {"id", "alert", "article", "story", "matched", "at", "title", "url", "source"} <= set(b)
    assert len({b["id"] for b in delivered}) == 2


def test_a_receiver_that_is_down_loses_nothing(tmp_path, examples_dir):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    with Store(tmp_path / "k.db") as s:
        alerts.add_alert(s, words="الغوطة", name="g", webhook=dead)
        ingest(examples_dir, s)
        now = datetime.now(UTC)
        for n in range(1, 4):
            now += timedelta(seconds=backoff(n) + 1)
            assert deliver_due(s, now=now)["failed"] == 2
        rows = db.outbox(s)
        assert len(rows) == 2 and all(r["delivered_at"] is None and r["attempts"] == 4 for r in rows)
        assert all(r["last_error"] for r in rows)
        assert len(alerts.matches(s)) == 2


def test_nothing_is_sent_before_the_commit(tmp_path, receiver):
    with Store(tmp_path / "k.db") as s:
        alerts.add_alert(s, stance="denies", name="d", webhook=receiver.url)
        with s.transaction():
            assert deliver_due(s, now=datetime.now(UTC) + timedelta(days=1)) == {"delivered": 0, "failed": 0}
    assert receiver.bodies == []


def test_backoff_doubles_up_to_an_hour():
    assert [backoff(n) for n in range(8)] == [30, 60, 120, 240, 480, 960, 1920, 3600]
