"""A khabar server in a child process for the benches: a free loopback port and a wait until it answers."""

from __future__ import annotations

import socket
import subprocess
import time

import httpx


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base: str, proc: subprocess.Popen, seconds: float) -> None:
    """Return once ``base/health`` answers 200; exit with a message if the server dies or takes too long."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(base + "/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("error: the server did not start")
        time.sleep(0.2)
