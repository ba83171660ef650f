"""The Arabic (right-to-left) pages: the story list, a story, an article, a comparison.

Every page goes through Jinja2 with autoescape on, highlights are built from escaped pieces
(:mod:`khabar.serve.highlight`), links are kept only for http(s) URLs, and every page is sent with
a Content-Security-Policy that allows no inline script. :data:`router` is included by
:func:`khabar.serve.app.create_app`.

>>> "script-src 'self'" in CSP and "'unsafe-inline'" not in CSP
True
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import jinja2
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from khabar.serve import backend, front
from khabar.serve.format import (
    ENTITY_TYPES,
    FACETS,
    LANG_NAMES,
    VERDICTS,
    articles_ar,
    closeness,
    explain,
    fmt_date,
    fmt_datetime,
    safe_url,
    score_words,
    when,
)
from khabar.serve.highlight import compare_spans, highlight
from khabar.serve.models import MAX_INT
from khabar.serve.pool import StoreDep
from khabar.serve.timeline import timeline_svg_data
from khabar.store import browse
from khabar.store.db import Store

HERE = Path(__file__).parent
STATIC = HERE / "static"
# No inline script or style anywhere, so a tag that slips through escaping still cannot run.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PAGE_SIZE = 30  # stories on one page of the list

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, trim_blocks=True, lstrip_blocks=True,
)
_env.filters.update(date=fmt_date, datetime=fmt_datetime, safe_url=safe_url, score_words=score_words,
                    closeness=closeness, articles=articles_ar)
_env.globals.update(LANG_NAMES=LANG_NAMES, VERDICTS=VERDICTS, FACETS=FACETS, ENTITY_TYPES=ENTITY_TYPES)
templates = Jinja2Templates(env=_env)

router = APIRouter(include_in_schema=False)


def page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """A page rendered with the security headers every page carries."""
    return templates.TemplateResponse(request, name, context, status_code=status,
                                      headers={"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                                               "Referrer-Policy": "no-referrer"})


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    """The error page (for a browser; API clients get JSON)."""
    return templates.TemplateResponse(request, "error.html", {"status": status, "message": message},
                                      status_code=status, headers={"Content-Security-Policy": CSP})


@router.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse)
def index(
    request: Request, s: StoreDep, q: str = "", lang: str = "", source: str = "", since: str = "",
    offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0, view: str = "moving", entity: str = "",
) -> HTMLResponse:
    since_when = when(since)
    since_d = since_when.date() if since_when else None
    view = view if view in front.VIEWS else "moving"
    stories = front.front_stories(s, view=view, entity=entity, q=q, lang=lang, source=source, since=since_d,
                                  limit=PAGE_SIZE + 1, offset=offset)
    hits = s.search(q, limit=10) if q.strip() else []
    return page(request, "index.html", {
        "stories": stories[:PAGE_SIZE], "more": len(stories) > PAGE_SIZE, "offset": offset, "limit": PAGE_SIZE,
        "q": q, "lang": lang, "source": source, "since": since_d.isoformat() if since_d else "",
        "view": view, "entity": entity, "window_hours": int(front.WINDOW.total_seconds() // 3600),
        "hits": hits, "langs": browse.languages(s), "sources": browse.sources(s), "total": s.count(),
    })


@router.api_route("/story/{story_id}", methods=["GET", "HEAD"], response_class=HTMLResponse)
def story_page(request: Request, story_id: str, s: StoreDep) -> HTMLResponse:
    found = backend.get_story(s, story_id)
    if found is None:
        raise HTTPException(404, f"لا توجد قصة بالمعرّف {story_id}")
    arts = found.get("articles") or []
    timeline_rows = []
    for a in arts:
        at, estimated = a.get("published"), False
        if not at:  # undated: placed at the time it was ingested, drawn as an estimate
            stored = s.get(a["id"])
            at, estimated = (stored.ingested if stored else None), True
        timeline_rows.append({**a, "when": at, "estimated": estimated})
    entities = found.get("entities") or []
    return page(request, "story.html", {
        "story": found, "articles": arts, "titles": {a["id"]: a for a in arts},
        "tl": timeline_svg_data(timeline_rows), "any_estimated": any(r["estimated"] for r in timeline_rows),
        "people": [e for e in entities if e.get("type") == "PERS"],
        "orgs": [e for e in entities if e.get("type") == "ORG"],
        "places": [e for e in entities if e.get("type") == "LOC"],
    })


@router.api_route("/article/{article_id}", methods=["GET", "HEAD"], response_class=HTMLResponse)
def article_page(request: Request, article_id: str, s: StoreDep) -> HTMLResponse:
    from khabar.stories.telling import role_as_written

    art = backend.article_or_404(s, article_id)
    data = backend.article_json(s, art)
    spans = [(m["start"], m["end"], m["type"], f"{m['entity']} ({ENTITY_TYPES.get(m['type'], m['type'])})")
             for m in data["mentions"]]
    # Statements name speakers by their canonical key; show the way the article wrote them.
    written: dict[str, Counter[str]] = {}
    for m in data["mentions"]:
        written.setdefault(m["entity"], Counter())[m["text"]] += 1
    names = {k: c.most_common(1)[0][0] for k, c in written.items()}
    # the actors named here, most mentioned first, each linking to its page (/entity/NAME)
    types = {m["entity"]: m["type"] for m in data["mentions"]}
    actors = [(names[k], types[k]) for k, _ in sorted(written.items(), key=lambda kc: -kc[1].total())]
    for st in data["statements"]:
        if written_role := role_as_written(st["speaker"], st["role"]):
            names.setdefault(st["speaker"], written_role)
    return page(request, "article.html", {"a": art, "data": data, "names": names, "actors": actors,
                                          "body": highlight(art.text, spans)})


@router.api_route("/compare", methods=["GET", "HEAD"], response_class=HTMLResponse)
def compare_page(request: Request, s: StoreDep, a: str = "", b: str = "") -> HTMLResponse:
    return _compare_page(request, s, a, b)


@router.post("/compare", response_class=HTMLResponse)
async def compare_form(request: Request) -> HTMLResponse:
    form = await request.form()
    a, b = str(form.get("a") or ""), str(form.get("b") or "")
    return await run_in_threadpool(_borrowed_compare_page, request, a, b)


def _borrowed_compare_page(request: Request, a: str, b: str) -> HTMLResponse:
    # The form is read first (async), so the connection is borrowed here rather than by a dependency.
    with request.app.state.stores.borrow() as s:
        return _compare_page(request, s, a, b)


def _compare_page(request: Request, s: Store, a_in: str, b_in: str) -> HTMLResponse:
    ctx: dict[str, Any] = {"a_in": a_in, "b_in": b_in, "result": None, "error": None}
    if a_in.strip() and b_in.strip():
        try:
            cmp, a, b = backend.compare(request.app.state.work, backend.guess_side(s, a_in),
                                        backend.guess_side(s, b_in), s)
        except HTTPException as e:
            ctx["error"] = str(e.detail)
            return page(request, "compare.html", ctx, status=e.status_code)
        ctx["result"] = {
            "cmp": cmp, "explanation": explain(cmp), "a": a, "b": b,
            "a_stored": a.id in s, "b_stored": b.id in s,
            "a_html": highlight(a.text, compare_spans(a.text, cmp, "a")),
            "b_html": highlight(b.text, compare_spans(b.text, cmp, "b")),
        }
    elif a_in.strip() or b_in.strip():
        ctx["error"] = "أدخل مقالين: معرّفين أو نصين."
    return page(request, "compare.html", ctx)
