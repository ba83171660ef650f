"""The web server: a JSON API under ``/api/`` and Arabic (right-to-left) pages over one store.

:func:`create_app` assembles the app; ``khabar serve`` runs it with uvicorn. Reading is open;
writing (``POST /api/articles``) needs ``Authorization: Bearer <token>`` when the app has a token.
The parts: :mod:`~khabar.serve.api` (JSON routes), :mod:`~khabar.serve.pages` (HTML routes),
:mod:`~khabar.serve.middleware` (body limit, token), :mod:`~khabar.serve.pool` (connections),
:mod:`~khabar.serve.backend` (calls into the library), and the pure helpers
:mod:`~khabar.serve.format`, :mod:`~khabar.serve.highlight`, :mod:`~khabar.serve.timeline`.

>>> import tempfile, pathlib
>>> app = create_app(pathlib.Path(tempfile.mkdtemp()) / "k.db")
>>> {'/api/articles', '/api/articles/{article_id}', '/api/compare'} <= set(app.openapi()["paths"])
True
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from khabar.serve import alerts as alert_routes
from khabar.serve import api, pages
from khabar.serve import entities as entity_routes
from khabar.serve import exports as csv_exports
from khabar.serve.docs import add_docs
from khabar.serve.middleware import MAX_BODY, BodyLimit
from khabar.serve.models import jsonable_errors, validation_message
from khabar.serve.pool import Stores
from khabar.serve.work import BUDGET, WORKERS, Workers
from khabar.store.db import Store


def create_app(db_path: Path, token: str | None = None, *, max_body: int = MAX_BODY, budget: float = BUDGET,
               workers: int = WORKERS) -> FastAPI:
    """The khabar web app over the store at ``db_path`` (created and migrated if needed).

    ``token``: when set, ``POST /api/articles`` needs ``Authorization: Bearer <token>``.
    ``budget``: seconds one request's reading, analysis or comparison may take, in one of
    ``workers`` processes (:mod:`khabar.serve.work`).
    """
    db_path = Path(db_path)
    Store(db_path).close()  # migrate once now, not in racing worker threads later
    stores, work = Stores(db_path), Workers(workers, budget)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            work.close()
            stores.close()

    app = FastAPI(
        title="khabar خبر",
        summary="Arabic news into stories: articles, stories, comparison, search.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served from local assets under the pages' CSP (khabar.serve.docs)
        redoc_url=None,
    )
    app.add_middleware(BodyLimit, limit=max_body)
    app.state.stores, app.state.token, app.state.work = stores, token, work
    app.mount("/static", StaticFiles(directory=pages.STATIC), name="static")
    add_docs(app)
    _handle_errors(app)
    app.include_router(api.router)
    app.include_router(csv_exports.router)
    app.include_router(pages.router)
    app.include_router(alert_routes.router)
    app.include_router(entity_routes.router)
    return app


def _handle_errors(app: FastAPI) -> None:
    """Errors are always JSON with an ``error`` that says what is wrong (an HTML page for browsers)."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_html(request):
            return pages.error_page(request, exc.status_code, str(exc.detail))
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        return JSONResponse({"error": validation_message(exc.errors()), "details": jsonable_errors(exc.errors())},
                            status_code=422)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # The traceback goes to the server log (uvicorn prints it); the client gets no internals.
        if _wants_html(request):
            return pages.error_page(request, 500, "خطأ غير متوقع في الخادم.")
        return JSONResponse({"error": f"internal error ({type(exc).__name__})"}, status_code=500)


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith(("/api/", "/health")) and "text/html" in request.headers.get("accept", "")
