"""``khabar serve``: the JSON API and the Arabic web pages over the store, with uvicorn."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from khabar.cli.app import DbOpt, app, db_path
from khabar.cli.common import fail


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = 8000,
    db: DbOpt = None,
) -> None:
    """Serve the API (/api/, documented at /docs) and the web pages (/) over the store.

    Reading is open to anyone who can reach the address; posting articles needs
    ``Authorization: Bearer $KHABAR_TOKEN`` when KHABAR_TOKEN is set.
    """
    import uvicorn

    from khabar.serve.app import create_app
    from khabar.store.db import StoreError

    token = os.environ.get("KHABAR_TOKEN") or None
    path = db_path(db)
    try:
        web = create_app(path, token=token)
    except StoreError as e:
        fail(str(e))
    if token is None and host not in {"127.0.0.1", "localhost", "::1"}:
        typer.echo(f"warning: listening on {host} without KHABAR_TOKEN: anyone who can reach it can post",
                   err=True)
    typer.echo(f"khabar: serving {path} on http://{host}:{port}/  (API docs: /docs)", err=True)
    uvicorn.run(web, host=host, port=port, log_level="info", proxy_headers=False)
