"""The web server: a JSON API under ``/api/`` and Arabic (right-to-left) pages over one store.

:func:`create_app` builds the FastAPI app; ``khabar serve`` runs it with uvicorn. Reading is open;
writing (``POST /api/articles``) needs ``Authorization: Bearer <token>`` when the app has a token.

Scraped text is hostile: every page goes through Jinja2 with autoescape on, highlights are built
from escaped pieces (:func:`highlight`), links are kept only for http(s) URLs, and every page is
sent with a Content-Security-Policy that allows no inline script.

Each worker thread keeps its own SQLite connection; writes also take one process-wide lock, so
concurrent posts queue here instead of spinning on SQLite's busy timeout (which still guards
against writers in other processes, such as a ``khabar ingest`` running beside the server).
"""

from __future__ import annotations

import hmac
import io
import json
import math
import re
import sqlite3
import tempfile
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import jinja2
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from khabar.store.db import Store
from khabar.text.dates import as_aware, parse_when
from khabar.types import Article

MAX_BODY = 20 * 1024 * 1024  # bytes; larger request bodies get 413
HERE = Path(__file__).parent
# No inline script or style anywhere, so a tag that slips through escaping still cannot run.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
MONTHS_AR = ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر",
             "نوفمبر", "ديسمبر")
LANG_NAMES = {"ar": "العربية", "en": "الإنجليزية", "fr": "الفرنسية", "tr": "التركية", "de": "الألمانية",
              "es": "الإسبانية", "fa": "الفارسية", "ru": "الروسية"}
VERDICTS = {"same story": "القصة نفسها", "related": "قصتان مرتبطتان", "different": "قصتان مختلفتان"}
FACETS = {"entities": "الكيانات", "geography": "المكان", "time": "الزمن", "narrative": "السرد"}
ENTITY_TYPES = {"PERS": "شخص", "ORG": "منظمة", "LOC": "مكان", "MISC": "أخرى"}


# ---------------------------------------------------------------------------------------------
# Request bodies
# ---------------------------------------------------------------------------------------------
class ArticleIn(BaseModel):
    """One article posted as JSON."""

    url: str = Field(min_length=1, max_length=4096, description="Where the article was found.")
    title: str = Field(max_length=10_000)
    text: str = Field(min_length=1, description="The article body, as scraped (boilerplate may stay in).")
    published: str | None = Field(None, description="ISO 8601 date or datetime.")
    source: str | None = Field(None, max_length=300, description="Outlet (default: the URL's host).")
    lang: str | None = Field(None, max_length=16)
    author: str | None = Field(None, max_length=1000)
    id: str | None = Field(None, max_length=300, description="The scraper's own id for the article.")

    @field_validator("text")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("text is blank")
        return v

    @field_validator("published")
    @classmethod
    def _iso(cls, v: str | None) -> str | None:
        if v is not None and _parse_when(v) is None:
            raise ValueError(f"not an ISO 8601 date or datetime: {v!r}")
        return v


class Side(BaseModel):
    """One side of a comparison: a stored article's id, or a text (with an optional title)."""

    model_config = ConfigDict(extra="forbid")
    id: str | None = None
    text: str | None = None
    title: str | None = None

    @model_validator(mode="after")
    def _one(self) -> Side:
        if (self.id is None) == (self.text is None or not self.text.strip()):
            raise ValueError("give either id or a non-empty text")
        return self


class CompareIn(BaseModel):
    """Two articles to compare: each an id string, ``{"id": …}`` or ``{"text": …, "title": …}``."""

    a: str | Side
    b: str | Side


# ---------------------------------------------------------------------------------------------
# Middleware and plumbing
# ---------------------------------------------------------------------------------------------
class BodyTooLarge(HTTPException):
    """The request body is over the limit (raised while it streams in)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body over {limit // (1024 * 1024)} MB")


class BodyLimit:
    """Answer 413 to request bodies over ``limit`` bytes.

    A declared Content-Length over the limit is refused before anything is read; a body without
    one (chunked) or that lies about it is counted as it streams, and refused once past the limit.
    """

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.limit
            except ValueError:
                await _send_json(send, 400, {"error": "Content-Length is not a number"})
                return
            if too_big:
                await _send_json(send, 413, {"error": BodyTooLarge(self.limit).detail})
                return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge as e:  # raised outside a route (the exception handlers did not see it)
            if started:
                raise
            await _send_json(send, 413, {"error": e.detail})


async def _send_json(send: Send, status: int, payload: dict[str, Any]) -> None:
    body = json.dumps(payload, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]})
    await send({"type": "http.response.body", "body": body})


class Stores:
    """A pool of :class:`Store` connections: a request borrows one and gives it back, so no
    connection is used by two threads at once and the pool never grows past the peak concurrency."""

    def __init__(self, path: Path, keep: int = 16) -> None:
        self.path, self.keep = path, keep
        self._lock = threading.Lock()
        self._idle: list[Store] = []
        self.write_lock = threading.Lock()

    @contextmanager
    def borrow(self) -> Iterator[Store]:
        with self._lock:
            store = self._idle.pop() if self._idle else None
        if store is None:
            store = Store(self.path)
        try:
            yield store
        finally:
            if store.db.in_transaction:  # a failed request must not hand on an open transaction
                store.db.execute("ROLLBACK")
            with self._lock:
                if len(self._idle) < self.keep:
                    self._idle.append(store)
                    store = None
            if store is not None:
                store.close()

    def close(self) -> None:
        with self._lock:
            for store in self._idle:
                store.close()
            self._idle.clear()


@dataclass
class Posted:
    """One article a post stored or found already stored."""

    id: str
    new: bool
    story: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "new": self.new, "story": self.story}


def _borrow_store(request: Request) -> Iterator[Store]:
    """The request's store connection, borrowed from the app's pool for the length of the request."""
    with request.app.state.stores.borrow() as store:
        yield store


StoreDep = Annotated[Store, Depends(_borrow_store)]


# ---------------------------------------------------------------------------------------------
# Backend calls (pipeline, stories, comparison) in one place
# ---------------------------------------------------------------------------------------------
def _ingest(store: Store, data: bytes | None, path: Path | None, source: str | None,
            ) -> tuple[list[Posted], list[dict[str, str]]]:
    """Ingest posted bytes (as stdin) or an uploaded file the way ``khabar ingest`` does; which
    articles were new, and what failed. The caller holds the write lock."""
    from khabar.pipeline import ingest
    from khabar.read.clean import to_article
    from khabar.read.formats import read
    from khabar.types import ReadError

    def inputs() -> tuple[str | Path, io.BytesIO | None]:
        return ("-", io.BytesIO(data)) if data is not None else (path or Path(), None)

    # Which of these are stored already, so each article can say whether it was new (no other
    # thread of this process writes in between: the caller holds the write lock).
    src, stdin = inputs()
    ids = set()
    for item in read(src, source=source, stdin=stdin):
        if not isinstance(item, ReadError):
            try:
                ids.add(to_article(item).id)
            except ValueError:
                continue
    before = {i for i in ids if i in store}
    src, stdin = inputs()
    # workers=1: forking analysis workers from a threaded server process is not safe.
    report = ingest(src, store, source=source, stdin=stdin, workers=1)
    posted, seen = [], set()
    for article_id in report.ids:
        if article_id not in seen:
            seen.add(article_id)
            posted.append(Posted(article_id, article_id not in before, _story_id(store, article_id)))
    return posted, report.failed


def _story_id(store: Store, article_id: str) -> str | None:
    from khabar.stories import telling as story

    return story.story_of(store, article_id)


def _list_stories(store: Store, **filters: Any) -> list[dict[str, Any]]:
    from khabar.stories import telling as story

    return story.list_stories(store, **filters)


def _get_story(store: Store, story_id: str) -> dict[str, Any] | None:
    from khabar.stories import telling as story

    return story.get_story(store, story_id)


def _compare(a: Article, b: Article, store: Store) -> dict[str, Any]:
    from khabar.compare.model import compare

    # Stored articles were analysed at ingest: reuse that instead of running the taggers again.
    analyses = (store.get_analysis(a.id) if a.id in store else None, store.get_analysis(b.id) if b.id in store else None)
    try:
        return compare(a, b, analyses=analyses).to_dict()
    except FileNotFoundError as e:  # no trained model shipped in this install
        raise HTTPException(503, f"comparison is unavailable: {e}") from e


def _article_from_text(text: str, title: str | None) -> Article:
    from khabar.read.clean import to_article
    from khabar.types import Document

    try:
        return to_article(Document(text=text, title=title or ""))
    except ValueError as e:
        raise HTTPException(422, f"text: {e}") from e


# ---------------------------------------------------------------------------------------------
# Presentation helpers (pure functions; tested directly)
# ---------------------------------------------------------------------------------------------
def _parse_when(value: str | None) -> datetime | None:
    """An ISO 8601 date or datetime as an aware datetime (UTC when no zone is given), else None."""
    when = parse_when(value)
    return as_aware(when) if when is not None else None


def fmt_date(value: str | None) -> str:
    """``2018-03-21…`` → ``21 مارس 2018`` (Latin digits, Arabic month); ``""`` when there is no date."""
    when = _parse_when(value)
    if when is None:
        return value or ""
    return f"{when.day} {MONTHS_AR[when.month - 1]} {when.year}"


def fmt_datetime(value: str | None) -> str:
    """Like :func:`fmt_date`, with the time of day when the value has one."""
    when = _parse_when(value)
    if when is None:
        return value or ""
    if value and len(value.strip()) > 10:
        return f"{fmt_date(value)}، {when:%H:%M}"
    return fmt_date(value)


def safe_url(url: str | None) -> str | None:
    """The URL when it is http(s), for use in ``href``; anything else (``javascript:`` …) is None."""
    if url and re.match(r"https?://[^\s]+$", url.strip(), re.IGNORECASE):
        return url.strip()
    return None


def score_words(score: float) -> str:
    """A 1..4 score (1 = the same) in words."""
    if score <= 1.5:
        return "متطابقان تقريباً"
    if score <= 2.25:
        return "متشابهان جداً"
    if score <= 2.75:
        return "متشابهان إلى حد ما"
    if score <= 3.4:
        return "مختلفان في الغالب"
    return "مختلفان تماماً"


def articles_ar(n: int) -> str:
    """``n`` articles with the Arabic noun in the form the number takes (مقال، مقالان، مقالات، مقالاً)."""
    if n == 1:
        return "مقال واحد"
    if n == 2:
        return "مقالان"
    if 3 <= n % 100 <= 10:
        return f"{n} مقالات"
    return f"{n} مقالاً" if n else "لا مقالات"


def closeness(score: float) -> int:
    """A 1..4 score as percent closeness (1 → 100, 4 → 0) for drawing bars."""
    return max(0, min(100, round((4 - float(score)) / 3 * 100)))


def explain(cmp: dict[str, Any]) -> list[str]:
    """The comparison in a few Arabic sentences: the score, what the articles share, each facet."""
    ev = cmp.get("evidence") or {}
    lines = [
        f"الدرجة {cmp['overall']:.1f} على مقياس من 1 (القصة نفسها) إلى 4 (لا صلة بينهما): "
        f"{VERDICTS.get(cmp.get('verdict', ''), cmp.get('verdict', ''))} — الخبران {score_words(cmp['overall'])}."
    ]
    shared = ev.get("shared_entities") or []
    if shared:
        names = "، ".join(entity_name(e) for e in shared[:6])
        more = f" و{len(shared) - 6} غيرها" if len(shared) > 6 else ""
        lines.append(f"يذكران {len(shared)} من الكيانات نفسها: {names}{more}.")
    else:
        lines.append("لا يذكران أحداً أو مكاناً مشتركاً.")
    for key, label in (("shared_dates", "تواريخ"), ("shared_numbers", "أرقام")):
        items = ev.get(key) or []
        if items:
            lines.append(f"يذكران {label} نفسها: " + "، ".join(_short(x) for x in items[:6]) + ".")
    quotes = ev.get("shared_quotes") or []
    if quotes:
        lines.append(f"ينقلان {len(quotes)} من الأقوال نفسها (مسطّرة في النصين).")
    passages = ev.get("passages") or []
    if passages:
        lines.append(f"فيهما {len(passages)} من المقاطع المتقاربة، مظللة ومرقّمة في النصين أدناه.")
    facets = cmp.get("facets") or {}
    parts = [f"{FACETS.get(k, k)} {v:.1f} ({score_words(v)})" for k, v in facets.items() if v is not None]
    if parts:
        lines.append("حسب الجانب: " + "؛ ".join(parts) + ".")
    return lines


def entity_name(ent: dict[str, Any]) -> str:
    """A shared entity as the articles write it (the longest surface form), not its matching-form key."""
    forms = [str(f) for f in (ent.get("a") or []) + (ent.get("b") or []) if f]
    return max(forms, key=len) if forms else str(ent.get("entity", ""))


def _short(x: Any) -> str:
    if isinstance(x, dict):  # {value, a, b}: the value as the first article writes it
        x = x.get("a") or x.get("value") or next(iter(x.values()), "")
    return str(x)[:40]


def highlight(text: str, spans: Iterable[tuple[int, int, str, str]]) -> Markup:
    """``text`` escaped, with ``<mark>`` around each span ``(start, end, kind, label)``.

    ``kind`` is a CSS class suffix from a fixed set (``passage``, ``entity``, ``PERS`` …);
    ``label`` goes into the ``title`` attribute (escaped). Passage kinds look like ``passage:3``
    and put the number before the passage so the two columns can be read against each other.
    Overlapping spans split the text into segments, each wrapped once with all of its classes.
    """
    n = len(text)
    clean = [(max(0, s), min(n, e), k, lbl) for s, e, k, lbl in spans if 0 <= s < e and s < n]
    if not clean:
        return Markup(escape(text))
    cuts = sorted({0, n, *(s for s, _, _, _ in clean), *(e for _, e, _, _ in clean)})
    starts: dict[int, list[int]] = {}
    for s, _, k, _ in clean:
        if k.startswith("passage:"):
            starts.setdefault(s, []).append(int(k.split(":", 1)[1]))
    out: list[str] = []
    for lo, hi in zip(cuts, cuts[1:], strict=False):
        for num in sorted(starts.get(lo, [])):
            out.append(f'<sup class="pnum">{num:d}</sup>')
        piece = escape(text[lo:hi])
        active = [(k, lbl) for s, e, k, lbl in clean if s <= lo and hi <= e]
        if not active:
            out.append(str(piece))
            continue
        classes, passages, labels = [], [], []
        for k, lbl in active:
            if k.startswith("passage:"):
                classes.append("hl-passage")
                passages.append(k.split(":", 1)[1])
            else:
                classes.append("hl-" + re.sub(r"[^A-Za-z]", "", k))
            if lbl:
                labels.append(lbl)
        attrs = f' class="hl {" ".join(sorted(set(classes)))}"'
        if passages:
            attrs += f' data-p="{" ".join(sorted(set(passages)))}"'
        if labels:
            attrs += f' title="{escape(" · ".join(dict.fromkeys(labels)))}"'
        out.append(f"<mark{attrs}>{piece}</mark>")
    return Markup("".join(out))


def _occurrences(text: str, needle: str) -> Iterator[tuple[int, int]]:
    if len(needle) < 2:
        return
    i = text.find(needle)
    while i >= 0:
        yield i, i + len(needle)
        i = text.find(needle, i + len(needle))


def compare_spans(text: str, cmp: dict[str, Any], side: str) -> list[tuple[int, int, str, str]]:
    """The highlight spans of one side (``"a"`` or ``"b"``) of a comparison: aligned passages by
    their offsets (re-found by text when an offset does not fit) and every occurrence of the shared
    entities' surface forms."""
    ev = cmp.get("evidence") or {}
    spans: list[tuple[int, int, str, str]] = []
    for num, p in enumerate(ev.get("passages") or [], start=1):
        part = p.get(side) or {}
        s, e, ptext = part.get("start"), part.get("end"), part.get("text") or ""
        if not (isinstance(s, int) and isinstance(e, int) and text[s:e] == ptext) and ptext:
            found = text.find(ptext)
            s, e = (found, found + len(ptext)) if found >= 0 else (s, e)
        if isinstance(s, int) and isinstance(e, int):
            score = p.get("score")
            label = f"مقطع {num}" + (f" (تقارب {score:.2f})" if isinstance(score, int | float) else "")
            spans.append((s, e, f"passage:{num}", label))
    for q in ev.get("shared_quotes") or []:
        part = q.get(side) or {}
        if isinstance(part.get("start"), int) and isinstance(part.get("end"), int):
            who = part.get("speaker")
            spans.append((part["start"], part["end"], "quote", f"قول مشترك{f' — {who}' if who else ''}"))
    for fig in (ev.get("shared_dates") or []) + (ev.get("shared_numbers") or []):
        form = fig.get(side) if isinstance(fig, dict) else None
        if isinstance(form, str):
            for s, e in _occurrences(text, form):
                spans.append((s, e, "figure", "رقم أو تاريخ مشترك"))
    for ent in ev.get("shared_entities") or []:
        label = f"{entity_name(ent)} ({ENTITY_TYPES.get(ent.get('type', ''), ent.get('type', ''))})"
        for form in sorted(set(ent.get(side) or []), key=len, reverse=True):
            for s, e in _occurrences(text, str(form)):
                spans.append((s, e, "entity", label))
    return spans


def timeline_svg_data(articles: list[dict[str, Any]], width: int = 880, row: int = 46) -> dict[str, Any]:
    """Geometry for the story timeline: one row per source, time running right (oldest) to left.

    ``articles`` carry ``id``, ``title``, ``source`` and ``when`` (ISO string). Articles without a
    date are left out of the drawing and counted in ``undated``.
    """
    label_w, pad = 190, 24
    x_right, x_left = width - label_w - pad, pad
    dated = [(a, _parse_when(a.get("when"))) for a in articles]
    undated = sum(1 for _, w in dated if w is None)
    dated = [(a, w) for a, w in dated if w is not None]
    sources = sorted({a.get("source") or "—" for a, _ in dated},
                     key=lambda s: min(w for a, w in dated if (a.get("source") or "—") == s))
    height = 30 + row * max(1, len(sources)) + 40
    if not dated:
        return {"width": width, "height": height, "rows": [], "dots": [], "ticks": [], "undated": undated,
                "axis_y": height - 40, "x_left": x_left, "x_right": x_right, "label_x": width - 8}
    t0, t1 = min(w for _, w in dated), max(w for _, w in dated)
    if t1 - t0 < timedelta(hours=2):  # one moment: centre it, with a day either side
        t0, t1 = t0 - timedelta(days=1), t1 + timedelta(days=1)
    span = (t1 - t0).total_seconds()

    def x(w: datetime) -> float:
        return round(x_right - (w - t0).total_seconds() / span * (x_right - x_left), 1)

    rows = [{"source": s, "label": s if len(s) <= 24 else s[:22] + "…", "y": 30 + row * i + row / 2}
            for i, s in enumerate(sources)]
    y_of = {r["source"]: r["y"] for r in rows}
    dots, taken = [], {}
    for a, w in sorted(dated, key=lambda t: t[1]):
        src = a.get("source") or "—"
        cx = x(w)
        # Dots at the same place in one row fan out vertically instead of hiding each other.
        slot = taken.setdefault((src, round(cx / 8)), 0)
        taken[(src, round(cx / 8))] += 1
        dy = 0 if slot == 0 else (1 if slot % 2 else -1) * 8 * math.ceil(slot / 2)
        dots.append({"id": a["id"], "title": a.get("title") or "", "source": src, "cx": cx,
                     "cy": y_of[src] + dy, "label": fmt_datetime(a.get("when")), "estimated": a.get("estimated")})
    ticks: list[dict[str, Any]] = []
    for i in range(5):
        w = t0 + (t1 - t0) * i / 4
        label = fmt_date(w.isoformat())
        if not ticks or ticks[-1]["label"] != label:  # a short span: one tick per day shown
            ticks.append({"x": x(w), "label": label, "anchor": "middle"})
    # The outermost labels are anchored inwards so they are not cut off at the picture's edges
    # (labels are right-to-left text: "start" is their right end).
    ticks[0]["anchor"] = "start"
    if len(ticks) > 1 and ticks[-1]["x"] <= x_left + 60:
        ticks[-1]["anchor"] = "end"
    return {"width": width, "height": height, "rows": rows, "dots": dots, "ticks": ticks, "undated": undated,
            "axis_y": height - 40, "x_left": x_left, "x_right": x_right, "label_x": width - 8}


# ---------------------------------------------------------------------------------------------
# The app
# ---------------------------------------------------------------------------------------------
def create_app(db_path: Path, token: str | None = None, *, max_body: int = MAX_BODY) -> FastAPI:
    """The khabar web app over the store at ``db_path`` (created and migrated if needed).

    ``token``: when set, ``POST /api/articles`` needs ``Authorization: Bearer <token>``.
    """
    db_path = Path(db_path)
    Store(db_path).close()  # migrate once now, not in racing worker threads later
    stores = Stores(db_path)

    @asynccontextmanager
    async def lifespan(_: FastAPI):  # type: ignore[no-untyped-def]
        yield
        stores.close()

    app = FastAPI(
        title="khabar خبر",
        summary="Arabic news into stories: articles, stories, comparison, search.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.add_middleware(BodyLimit, limit=max_body)
    app.state.stores = stores
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters.update(date=fmt_date, datetime=fmt_datetime, safe_url=safe_url, score_words=score_words,
                       closeness=closeness, articles=articles_ar)
    env.globals.update(LANG_NAMES=LANG_NAMES, VERDICTS=VERDICTS, FACETS=FACETS, ENTITY_TYPES=ENTITY_TYPES)
    templates = Jinja2Templates(env=env)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def require_token(request: Request) -> None:
        if token is None:
            return
        given = request.headers.get("authorization", "")
        scheme, _, value = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(), token.encode()):
            raise HTTPException(401, "writing needs Authorization: Bearer <token> (the server's KHABAR_TOKEN)",
                                headers={"WWW-Authenticate": "Bearer"})

    # -- errors: always JSON with an "error" that says what is wrong (HTML for pages) ------------
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_html(request):
            return templates.TemplateResponse(request, "error.html", {"status": exc.status_code,
                                              "message": str(exc.detail)}, status_code=exc.status_code,
                                              headers={"Content-Security-Policy": CSP})
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        return JSONResponse({"error": _validation_message(exc.errors()), "details": _jsonable(exc.errors())},
                            status_code=422)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # The traceback goes to the server log (uvicorn prints it); the client gets no internals.
        if _wants_html(request):
            return templates.TemplateResponse(request, "error.html", {"status": 500,
                                              "message": "خطأ غير متوقع في الخادم."}, status_code=500,
                                              headers={"Content-Security-Policy": CSP})
        return JSONResponse({"error": f"internal error ({type(exc).__name__})"}, status_code=500)

    # -- API ------------------------------------------------------------------------------------
    @app.get("/health", tags=["meta"])
    def health(s: StoreDep) -> dict[str, Any]:
        """Liveness, and how many articles the store holds."""
        return {"status": "ok", "articles": s.count()}

    @app.post(
        "/api/articles", tags=["articles"], status_code=201, dependencies=[Depends(require_token)],
        responses={200: {"description": "Already stored (nothing new)"}, 401: {"description": "No or wrong token"},
                   413: {"description": "Body over 20 MB"}, 415: {"description": "Neither JSON nor multipart"},
                   422: {"description": "Malformed article"}},
        openapi_extra={"requestBody": {"required": True, "content": {
            "application/json": {"schema": ArticleIn.model_json_schema()},
            "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
                "file": {"type": "string", "format": "binary",
                         "description": "Any file khabar ingest reads: .txt, .html, .jsonl, .warc(.gz)"},
                "source": {"type": "string"}}}},
        }}},
    )
    async def post_article(request: Request) -> JSONResponse:
        """Store one article (JSON) or every article in an uploaded file (multipart ``file``).

        Answers ``{id, new, story, articles: [{id, new, story}], failed}``: ``id``/``new``/``story``
        are the first (usually the only) article's; 201 when something was new, 200 when all of it
        was already stored.
        """
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype == "application/json" or ctype.endswith("+json"):
            data, source = await _json_article(request)
            posted, failed = await run_in_threadpool(_locked_ingest, data, None, source)
        elif ctype == "multipart/form-data":
            # Readers go by the file's name and size, so the upload is saved as a file first.
            with tempfile.TemporaryDirectory(prefix="khabar-post-") as tmp:
                path, source = await _file_upload(request, Path(tmp))
                posted, failed = await run_in_threadpool(_locked_ingest, None, path, source)
        else:
            raise HTTPException(415, "send application/json (one article) or multipart/form-data (a file)")
        if not posted:
            msg = "; ".join(f["error"] for f in failed) or "no article found in the input"
            raise HTTPException(422, msg)
        first = posted[0]
        return JSONResponse({**first.to_dict(), "articles": [p.to_dict() for p in posted], "failed": failed},
                            status_code=201 if any(p.new for p in posted) else 200)

    def _locked_ingest(data: bytes | None, path: Path | None, source: str | None,
                       ) -> tuple[list[Posted], list[dict[str, str]]]:
        with stores.write_lock, stores.borrow() as s:
            try:
                return _ingest(s, data, path, source)
            except sqlite3.OperationalError as e:  # locked past the busy timeout by another process
                raise HTTPException(503, f"the store is busy, try again ({e})", headers={"Retry-After": "5"}) from e

    @app.get("/api/articles/{article_id}", tags=["articles"])
    def get_article(article_id: str, s: StoreDep) -> dict[str, Any]:
        """A stored article (by id, unique id prefix, or the scraper's id), its entities, statements and story."""
        return _article_json(s, _article_or_404(s, article_id))

    @app.get("/api/stories", tags=["stories"])
    def get_stories(
        s: StoreDep,
        q: Annotated[str | None, Query(description="Words the story's articles contain")] = None,
        lang: Annotated[str | None, Query(description="Language code of at least one article (ar, tr …)")] = None,
        source: Annotated[str | None, Query(description="An outlet that reported the story")] = None,
        since: Annotated[date | None, Query(description="Stories seen on or after this date")] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> list[dict[str, Any]]:
        """Stories, newest first, as ``khabar stories --json``."""
        return _stories(s, q=q, lang=lang, source=source, since=since, limit=limit, offset=offset)

    @app.get("/api/stories/{story_id}", tags=["stories"])
    def get_story_json(story_id: str, s: StoreDep) -> dict[str, Any]:
        """One story, as ``khabar story --json``."""
        found = _get_story(s, story_id)
        if found is None:
            raise HTTPException(404, f"no story {story_id!r}")
        return found

    @app.post("/api/compare", tags=["compare"])
    def post_compare(body: CompareIn, s: StoreDep) -> dict[str, Any]:
        """Compare two articles (stored ids or texts): overall 1..4, verdict, facets, evidence, and
        ``explanation`` (the same in Arabic sentences)."""
        a, b = _side(s, body.a), _side(s, body.b)
        cmp = _compare(a, b, s)
        return {**cmp, "explanation": explain(cmp), "a": _summary(a, s), "b": _summary(b, s)}

    @app.get("/api/search", tags=["articles"])
    def get_search(
        s: StoreDep,
        q: Annotated[str, Query(min_length=1, description="Words to find (spelling variants match)")],
        limit: Annotated[int, Query(ge=1, le=200)] = 20,
    ) -> list[dict[str, Any]]:
        """Full-text search over the stored articles: ``[{id, title, score, source, published}]``."""
        return s.search(q, limit=limit)

    # -- pages ----------------------------------------------------------------------------------
    def page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
        return templates.TemplateResponse(request, name, context, status_code=status,
                                          headers={"Content-Security-Policy": CSP,
                                                   "X-Content-Type-Options": "nosniff",
                                                   "Referrer-Policy": "no-referrer"})

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(
        request: Request, s: StoreDep, q: str = "", lang: str = "", source: str = "", since: str = "",
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> HTMLResponse:
        since_d = _parse_when(since).date() if _parse_when(since) else None
        limit = 30
        stories = _stories(s, q=q or None, lang=lang or None, source=source or None, since=since_d,
                           limit=limit + 1, offset=offset)
        hits = s.search(q, limit=10) if q.strip() else []
        facets = _store_facets(s)
        return page(request, "index.html", {
            "stories": stories[:limit], "more": len(stories) > limit, "offset": offset, "limit": limit,
            "q": q, "lang": lang, "source": source, "since": since_d.isoformat() if since_d else "",
            "hits": hits, "langs": facets["langs"], "sources": facets["sources"], "total": s.count(),
        })

    @app.get("/story/{story_id}", response_class=HTMLResponse, include_in_schema=False)
    def story_page(request: Request, story_id: str, s: StoreDep) -> HTMLResponse:
        found = _get_story(s, story_id)
        if found is None:
            raise HTTPException(404, f"لا توجد قصة بالمعرّف {story_id}")
        arts = found.get("articles") or []
        timeline_rows = []
        for a in arts:
            when, estimated = a.get("published"), False
            if not when:
                stored = s.get(a["id"])
                when, estimated = (stored.ingested if stored else None), True
            timeline_rows.append({**a, "when": when, "estimated": estimated})
        titles = {a["id"]: a for a in arts}
        return page(request, "story.html", {
            "story": found, "articles": arts, "titles": titles, "tl": timeline_svg_data(timeline_rows),
            "any_estimated": any(r["estimated"] for r in timeline_rows),
            "people": [e for e in found.get("entities") or [] if e.get("type") == "PERS"],
            "orgs": [e for e in found.get("entities") or [] if e.get("type") == "ORG"],
            "places": [e for e in found.get("entities") or [] if e.get("type") == "LOC"],
        })

    @app.get("/article/{article_id}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(request: Request, article_id: str, s: StoreDep) -> HTMLResponse:
        art = _article_or_404(s, article_id)
        data = _article_json(s, art)
        spans = [(m["start"], m["end"], m["type"], f"{m['entity']} ({ENTITY_TYPES.get(m['type'], m['type'])})")
                 for m in data["mentions"]]
        # Statements name speakers by their canonical key; show the way the article wrote them.
        written: dict[str, Counter[str]] = {}
        for m in data["mentions"]:
            written.setdefault(m["entity"], Counter())[m["text"]] += 1
        names = {k: c.most_common(1)[0][0] for k, c in written.items()}
        from khabar.stories.telling import role_as_written

        for st in data["statements"]:
            if written_role := role_as_written(st["speaker"], st["role"]):
                names.setdefault(st["speaker"], written_role)
        return page(request, "article.html", {"a": art, "data": data, "names": names,
                                              "body": highlight(art.text, spans)})

    @app.get("/compare", response_class=HTMLResponse, include_in_schema=False)
    def compare_page(request: Request, s: StoreDep, a: str = "", b: str = "") -> HTMLResponse:
        return _compare_page(request, s, a, b)

    @app.post("/compare", response_class=HTMLResponse, include_in_schema=False)
    async def compare_form(request: Request) -> HTMLResponse:
        form = await request.form()
        a, b = str(form.get("a") or ""), str(form.get("b") or "")
        return await run_in_threadpool(_borrowed_compare_page, request, a, b)

    def _borrowed_compare_page(request: Request, a: str, b: str) -> HTMLResponse:
        with stores.borrow() as s:
            return _compare_page(request, s, a, b)

    def _compare_page(request: Request, s: Store, a_in: str, b_in: str) -> HTMLResponse:
        ctx: dict[str, Any] = {"a_in": a_in, "b_in": b_in, "result": None, "error": None}
        if a_in.strip() and b_in.strip():
            try:
                a, b = _guess_side(s, a_in), _guess_side(s, b_in)
                cmp = _compare(a, b, s)
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

    return app


# ---------------------------------------------------------------------------------------------
# Route helpers
# ---------------------------------------------------------------------------------------------
def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith(("/api/", "/health")) and "text/html" in request.headers.get("accept", "")


def _validation_message(errors: Iterable[dict[str, Any]]) -> str:
    parts = []
    for e in errors:
        loc = ".".join(str(x) for x in e.get("loc", ()) if x not in ("body",)) or "body"
        msg = e.get("msg", "invalid")
        if e.get("type") == "json_invalid":
            msg = f"malformed JSON ({(e.get('ctx') or {}).get('error', 'decode error')})"
        parts.append(f"{loc}: {msg}")
    return "; ".join(parts) or "invalid request"


def _jsonable(errors: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type")} for e in errors]


async def _json_article(request: Request) -> tuple[bytes, str | None]:
    """The posted JSON article, checked, as one JSONL line for the ingest pipeline."""
    raw = await request.body()
    try:
        payload = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise HTTPException(400, f"malformed JSON: {e}") from e
    if not isinstance(payload, dict):
        raise HTTPException(422, f"expected one article as a JSON object, got {type(payload).__name__}")
    try:
        art = ArticleIn.model_validate(payload)
    except ValidationError as e:
        raise HTTPException(422, _validation_message(e.errors())) from e
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


def _article_or_404(s: Store, article_id: str) -> Article:
    art = s.get(article_id)
    if art is None:
        raise HTTPException(404, f"no article {article_id!r}")
    return art


def _article_json(s: Store, art: Article) -> dict[str, Any]:
    analysis = s.get_analysis(art.id)
    mentions, statements = analysis if analysis else ([], [])
    return {**art.to_dict(), "story": _story_id(s, art.id), "mentions": [m.to_dict() for m in mentions],
            "statements": [st.to_dict() for st in statements]}


def _summary(a: Article, s: Store) -> dict[str, Any]:
    return {"id": a.id, "title": a.title, "source": a.source, "published": a.published, "stored": a.id in s}


def _side(s: Store, side: str | Side) -> Article:
    if isinstance(side, str):
        side = Side(id=side)
    if side.id is not None:
        return _article_or_404(s, side.id)
    return _article_from_text(side.text or "", side.title)


def _guess_side(s: Store, value: str) -> Article:
    """A form field: a stored article's id when it is one (one token, found), its text otherwise."""
    value = value.strip()
    if re.fullmatch(r"\S{1,300}", value):
        found = s.get(value)
        if found is not None:
            return found
        if re.fullmatch(r"[0-9a-f]{6,64}", value):
            raise HTTPException(404, f"لا يوجد مقال بالمعرّف {value}")
    return _article_from_text(value, None)


def _stories(s: Store, *, q: str | None, lang: str | None, source: str | None, since: date | None,
             limit: int, offset: int) -> list[dict[str, Any]]:
    return _list_stories(s, q=q, lang=lang, source=source, since=since.isoformat() if since else None,
                         limit=limit, offset=offset)


def _store_facets(s: Store) -> dict[str, list[str]]:
    """The languages and sources present, for the filter menus."""
    langs = [r[0] for r in s.db.execute("SELECT DISTINCT lang FROM articles WHERE lang IS NOT NULL ORDER BY lang")]
    sources = [r[0] for r in s.db.execute(
        "SELECT source FROM articles WHERE source IS NOT NULL GROUP BY source ORDER BY count(*) DESC LIMIT 100")]
    return {"langs": langs, "sources": sources}
