"""The JSON API under ``/api/`` (and ``/health``): the same shapes as the CLI's ``--json``.

Reading is open; ``POST /api/articles`` needs the app's token when it has one
(:func:`khabar.serve.middleware.require_token`). :data:`router` is included by
:func:`khabar.serve.app.create_app`.
"""

from __future__ import annotations

import json
import re
import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from khabar.read.untrusted import loads
from khabar.serve import backend
from khabar.serve.format import explain
from khabar.serve.middleware import require_token
from khabar.serve.models import MAX_INT, ArticleIn, CompareIn
from khabar.serve.pool import StoreDep

router = APIRouter()
M = TypeVar("M", bound=BaseModel)

_POST_DOC: dict[str, Any] = {
    "responses": {200: {"description": "Already stored (nothing new)"}, 401: {"description": "No or wrong token"},
                  413: {"description": "Body over 20 MB"}, 415: {"description": "Neither JSON nor multipart"},
                  422: {"description": "Malformed article"}},
    "openapi_extra": {"requestBody": {"required": True, "content": {
        "application/json": {"schema": ArticleIn.model_json_schema()},
        "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
            "file": {"type": "string", "format": "binary",
                     "description": "Any file khabar ingest reads: .txt, .html, .jsonl, .warc(.gz)"},
            "source": {"type": "string"}}}},
    }}},
}


@router.api_route("/health", methods=["GET", "HEAD"], tags=["meta"])
def health(s: StoreDep) -> dict[str, Any]:
    """Liveness, and how many articles the store holds."""
    return {"status": "ok", "articles": s.count()}


@router.post("/api/articles", tags=["articles"], status_code=201, dependencies=[Depends(require_token)], **_POST_DOC)
async def post_article(request: Request) -> JSONResponse:
    """Store one article (JSON) or every article in an uploaded file (multipart ``file``).

    Answers ``{id, new, story, articles: [{id, new, story}], failed}``: ``id``/``new``/``story``
    are the first (usually the only) article's; 201 when something was new, 200 when all of it
    was already stored.
    """
    stores, work = request.app.state.stores, request.app.state.work
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/json" or ctype.endswith("+json"):
        data, source = await _json_article(request)
        posted, failed = await run_in_threadpool(backend.locked_ingest, stores, work, data, None, source)
    elif ctype == "multipart/form-data":
        # Readers go by the file's name and size, so the upload is saved as a file first.
        with tempfile.TemporaryDirectory(prefix="khabar-post-") as tmp:
            path, source = await _file_upload(request, Path(tmp))
            posted, failed = await run_in_threadpool(backend.locked_ingest, stores, work, None, path, source)
    else:
        raise HTTPException(415, "send application/json (one article) or multipart/form-data (a file)")
    if not posted:
        msg = "; ".join(f["error"] for f in failed) or "no article found in the input"
        raise HTTPException(422, msg)
    first = posted[0]
    return JSONResponse({**first.to_dict(), "articles": [p.to_dict() for p in posted], "failed": failed},
                        status_code=201 if any(p.new for p in posted) else 200)


@router.get("/api/articles/{article_id}", tags=["articles"])
def get_article(article_id: str, s: StoreDep) -> dict[str, Any]:
    """A stored article (by id, unique id prefix, or the scraper's id), its entities, statements and story."""
    return backend.article_json(s, backend.article_or_404(s, article_id))


@router.get("/api/stories", tags=["stories"])
def get_stories(
    s: StoreDep,
    q: Annotated[str | None, Query(description="Words the story's articles contain")] = None,
    lang: Annotated[str | None, Query(description="Language code of at least one article (ar, tr …)")] = None,
    source: Annotated[str | None, Query(description="An outlet that reported the story")] = None,
    since: Annotated[date | None, Query(description="Stories seen on or after this date")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
) -> list[dict[str, Any]]:
    """Stories, newest first, as ``khabar stories --json``."""
    return backend.list_stories(s, q=q, lang=lang, source=source, since=since, limit=limit, offset=offset)


@router.get("/api/stories/{story_id}", tags=["stories"])
def get_story_json(story_id: str, s: StoreDep) -> dict[str, Any]:
    """One story, as ``khabar story --json``."""
    found = backend.get_story(s, story_id)
    if found is None:
        raise HTTPException(404, f"no story {story_id!r}")
    return found


@router.post("/api/compare", tags=["compare"], openapi_extra={"requestBody": {"required": True, "content": {
    "application/json": {"schema": CompareIn.model_json_schema()}}}})
async def post_compare(request: Request) -> dict[str, Any]:
    """Compare two articles (stored ids or texts): overall 1..4, verdict, facets, evidence, and
    ``explanation`` (the same in Arabic sentences)."""
    body = _validated(CompareIn, await _json_body(request))
    return await run_in_threadpool(_compare, request, body)


def _compare(request: Request, body: CompareIn) -> dict[str, Any]:
    with request.app.state.stores.borrow() as s:
        cmp, a, b = backend.compare(request.app.state.work, backend.side(s, body.a), backend.side(s, body.b), s)
        return {**cmp, "explanation": explain(cmp), "a": backend.summary(a, s), "b": backend.summary(b, s)}


@router.get("/api/search", tags=["articles"])
def get_search(
    s: StoreDep,
    q: Annotated[str, Query(min_length=1, description="Words to find (spelling variants match)")],
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> list[dict[str, Any]]:
    """Full-text search over the stored articles: ``[{id, title, score, source, published}]``."""
    return s.search(q, limit=limit)


# -- request bodies -------------------------------------------------------------------------------
async def _json_body(request: Request) -> Any:
    """The request's JSON body, its nesting bounded before it is parsed (a ``[`` × 100,000 body is a
    400, not a RecursionError)."""
    raw = await request.body()
    try:
        return loads(raw)
    except (ValueError, UnicodeDecodeError) as e:  # JSONDecodeError is a ValueError
        raise HTTPException(400, f"malformed JSON: {e}") from e


def _validated(model: type[M], payload: Any) -> M:
    """``payload`` as ``model``, or a 422 whose ``details`` list each field's problem."""
    if not isinstance(payload, dict):
        raise HTTPException(422, f"expected a JSON object, got {type(payload).__name__}")
    try:
        return model.model_validate(payload)
    except ValidationError as e:
        raise RequestValidationError(e.errors()) from e


async def _json_article(request: Request) -> tuple[bytes, str | None]:
    """The posted JSON article, checked, as one JSONL line for the ingest pipeline."""
    art = _validated(ArticleIn, await _json_body(request))
    record = {k: v for k, v in art.model_dump().items() if v is not None}
    return (json.dumps(record, ensure_ascii=False) + "\n").encode(), art.source


async def _file_upload(request: Request, tmp: Path) -> tuple[Path, str | None]:
    """The uploaded ``file`` field saved under a safe name that keeps its extension (readers go by it)."""
    try:
        form = await request.form(max_files=1, max_fields=10)
    except HTTPException:
        raise
    except Exception as e:  # python-multipart's errors: a body that is not valid multipart
        raise HTTPException(400, f"malformed multipart body: {e}") from e
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise HTTPException(422, "file: missing (send the article file in a multipart field named 'file')")
    name = Path(upload.filename or "upload.txt").name
    suffix = "".join(re.findall(r"\.[A-Za-z0-9]{1,6}", name)[-2:]) or ".txt"
    path = tmp / f"upload{suffix.lower()}"
    with path.open("wb") as out:
        while chunk := await upload.read(1 << 20):
            out.write(chunk)
    source = form.get("source")
    return path, source if isinstance(source, str) and source.strip() else None
