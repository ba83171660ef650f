"""``khabar serve``: the JSON API and the Arabic web pages over the store, with uvicorn."""

from __future__ import annotations

import errno
import os
import socket
from typing import Annotated

import typer

from khabar.cli.app import DbOpt, app, db_path
from khabar.cli.common import fail

#: Exit code when the address cannot be listened on (the port in use, an address not this machine's).
EXIT_CANNOT_LISTEN = 3


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = 8000,
    db: DbOpt = None,
) -> None:
    """Serve the API (/api/, documented at /docs) and the web pages (/) over the store.

    Reading is open to anyone who can reach the address; posting articles needs
    "Authorization: Bearer $KHABAR_TOKEN" when KHABAR_TOKEN is set. Exits 1 when there is no store
    at the path (ingest something first), 3 when it cannot listen on the address (port in use).
    """
    import uvicorn

    from khabar.serve.app import create_app
    from khabar.store.db import StoreError

    token = os.environ.get("KHABAR_TOKEN") or None
    path = db_path(db)
    if not path.is_file():
        fail(f"no store at {path} (ingest something first, or pass --db)")
    try:
        web = create_app(path, token=token)
    except StoreError as e:
        fail(str(e))
    sock = listen(host, port)
    if token is None and host not in {"127.0.0.1", "localhost", "::1"}:
        typer.echo(f"warning: listening on {host} without KHABAR_TOKEN: anyone who can reach it can post",
                   err=True)
    web.state.work.start()  # the analysis workers warm up while the server starts
    typer.echo(f"khabar: serving {path} on http://{host}:{sock.getsockname()[1]}/  (API docs: /docs)", err=True)
    config = uvicorn.Config(web, host=host, port=port, log_level="info", proxy_headers=False)
    uvicorn.Server(config).run(sockets=[sock])


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port``, or exit :data:`EXIT_CANNOT_LISTEN` saying why (before
    anything claims to be serving)."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    except socket.gaierror as e:
        fail(f"cannot listen on {host}:{port}: unknown address ({e.strerror})", EXIT_CANNOT_LISTEN)
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: restart past TIME_WAIT
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        why = "the port is in use (another server runs there? pass --port)" if e.errno == errno.EADDRINUSE \
            else e.strerror
        fail(f"cannot listen on {host}:{port}: {why}", EXIT_CANNOT_LISTEN)
    return sock
