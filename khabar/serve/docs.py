"""``/docs``: the OpenAPI documentation (Swagger UI) from local assets, under the pages' CSP.

FastAPI's own ``/docs`` loads Swagger UI from a CDN (a blank page offline) with an inline script.
Here the Swagger UI bundle comes from the ``fastapi-offline`` package (which ships it) and the
start-up code from ``static/docs.js``, so the page works offline and carries the same policy
as every other page.

>>> "swagger-ui-bundle.js" in PAGE and "<script>" not in PAGE
True
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from khabar.serve.pages import CSP

ASSETS = "/docs-assets"
PAGE = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>khabar API</title>
<link rel="stylesheet" href="{ASSETS}/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="{ASSETS}/swagger-ui-bundle.js"></script>
<script src="/static/docs.js"></script>
</body></html>
"""


def swagger_assets() -> Path:
    """The folder with Swagger UI's bundle and stylesheet (from the ``fastapi-offline`` package)."""
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


def add_docs(app: FastAPI) -> None:
    """Serve ``/docs`` and its assets on ``app`` (made with ``docs_url=None``)."""
    app.mount(ASSETS, StaticFiles(directory=swagger_assets()), name="docs-assets")

    @app.api_route("/docs", methods=["GET", "HEAD"], include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(PAGE, headers={"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                                           "Referrer-Policy": "no-referrer"})
