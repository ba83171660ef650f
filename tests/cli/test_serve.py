"""``khabar serve`` as a new user meets it: a real process on 127.0.0.1, a missing store, a port in use."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

import khabar.cli.serve  # noqa: F401  (registers the command, as khabar.cli does)
from khabar.cli import app
from khabar.cli.serve import EXIT_CANNOT_LISTEN
from khabar.store.db import Store

runner = CliRunner()
# Importing khabar.cli.serve registers the command even before the CLI's import list names it.
KHABAR = [sys.executable, "-c", "import khabar.cli.serve; from khabar.cli import app; app()"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "served.db"
    Store(path).close()
    return path


def test_a_missing_store_is_refused_not_created(tmp_path: Path):
    typo = tmp_path / "typo.db"
    r = runner.invoke(app, ["serve", "--db", str(typo), "--port", str(free_port())])
    assert r.exit_code == 1
    assert f"no store at {typo}" in r.stderr and "serving" not in r.stderr
    assert not typo.exists()


def test_a_port_in_use_says_so_with_its_exit_code(store: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = runner.invoke(app, ["serve", "--db", str(store), "--port", str(port)])
    assert r.exit_code == EXIT_CANNOT_LISTEN == 3
    assert f"cannot listen on 127.0.0.1:{port}: the port is in use" in r.stderr
    assert "serving" not in r.stderr


def test_an_unknown_host_is_the_same_clear_failure(store: Path):
    r = runner.invoke(app, ["serve", "--db", str(store), "--host", "no-such-host.invalid", "--port", "0"])
    assert r.exit_code == EXIT_CANNOT_LISTEN and "cannot listen on no-such-host.invalid" in r.stderr


def test_khabar_serve_runs_the_app_with_the_env_token_and_stops_on_sigterm(store: Path):
    port = free_port()
    env = {**os.environ, "KHABAR_TOKEN": "from-env"}
    proc = subprocess.Popen([*KHABAR, "serve", "--port", str(port), "--db", str(store)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(base + "/health", timeout=2)
                break
            except httpx.HTTPError:
                assert proc.poll() is None and time.monotonic() < deadline, "khabar serve did not start"
                time.sleep(0.2)
        assert health.json() == {"status": "ok", "articles": 0}
        assert httpx.head(base + "/", timeout=60).status_code == 200
        post = {"url": "https://x.example/1", "title": "t", "text": "نص الخبر"}
        assert httpx.post(base + "/api/articles", json=post, timeout=60).status_code == 401
        assert '<html lang="ar" dir="rtl">' in httpx.get(base + "/", timeout=60).text
        docs = httpx.get(base + "/docs", timeout=60)
        assert docs.status_code == 200 and "content-security-policy" in docs.headers
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)  # SIGTERM stops it (the workers with it)
    assert f"serving {store} on http://127.0.0.1:{port}/" in out
    # uvicorn shuts down cleanly, then re-raises the signal so the exit status still says SIGTERM
    assert "Finished server process" in out and proc.returncode in (0, -signal.SIGTERM)
