"""A real HTTP server on a loopback address, serving what a test puts in it, logging each request.

Two of them, on 127.0.0.1 and 127.0.0.2, are two outlets (two hosts, as the outlet is the URL's host).
Loaded by path (tests are no package) by the fetch and CLI tests, which share it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    sleep: float = 0.0  # before answering (a slow server)
    length: int | None = None  # a Content-Length to claim (oversize), None: the body's
    stream: bool = False  # no Content-Length: the body until the connection closes
    drip: float = 0.0  # seconds between 100-byte pieces of the body (a slow drip)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hangs up early (as the fetcher does on an oversize body) is no news


class Site:
    """``route(path, …)`` serves a path; ``log`` holds ``(path, headers)`` of every request."""

    def __init__(self, host: str) -> None:
        self.routes: dict[str, Route] = {}
        self.log: list[tuple[str, dict[str, str]]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                site.log.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                r = site.routes.get(self.path, Route(b"not found", 404))
                if r.sleep:
                    time.sleep(r.sleep)
                if (r.etag and self.headers.get("If-None-Match") == r.etag) or (
                        r.last_modified and self.headers.get("If-Modified-Since") == r.last_modified):
                    self.send_response(304)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(r.status)
                for k, v in r.headers.items():
                    self.send_header(k, v)
                if r.etag:
                    self.send_header("ETag", r.etag)
                if r.last_modified:
                    self.send_header("Last-Modified", r.last_modified)
                if r.stream:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                else:
                    self.send_header("Content-Length", str(r.length if r.length is not None else len(r.body)))
                self.end_headers()
                try:
                    for i in range(0, len(r.body), 100 if r.drip else max(1, len(r.body))):
                        self.wfile.write(r.body[i : i + 100] if r.drip else r.body)
                        self.wfile.flush()
                        time.sleep(r.drip)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up, as it should
                    self.close_connection = True

        self.server = _Server((host, 0), Handler)
        self.base = f"http://{host}:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, body: bytes | str = b"", **kw: object) -> str:
        self.routes[path] = Route(body.encode("utf-8") if isinstance(body, str) else body, **kw)  # type: ignore[arg-type]
        return self.url(path)

    def paths(self) -> list[str]:
        return [p for p, _ in self.log]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def article_html(title: str, body: str, published: str | None = None) -> str:
    """A news page as sites serve them: navigation around the article's paragraphs."""
    paras = "".join(f"<p>{p}</p>" for p in body.split("\n") if p.strip())
    meta = f'<meta property="article:published_time" content="{published}">' if published else ""
    return (f'<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{title}</title>{meta}'
            f"</head><body><nav><a href='/'>الرئيسية</a></nav><article><h1>{title}</h1>{paras}</article>"
            "<footer>جميع الحقوق محفوظة</footer></body></html>")


def example(name: str) -> tuple[str, str]:
    """(title, body) of an example article file (first line the title)."""
    title, _, body = (EXAMPLES / name).read_text(encoding="utf-8").strip().partition("\n")
    return title.strip(), body.strip()


def rss(links: list[str]) -> str:
    items = "".join(f"<item><title>خبر {i}</title><link>{u}</link></item>" for i, u in enumerate(links))
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'


def sitemap(links: list[str], news: bool = False) -> str:
    ns = ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"' if news else ""
    extra = ("<news:news><news:publication_date>2026-11-23T11:42:41+03:00</news:publication_date>"
             "<news:title>t</news:title></news:news>") if news else ""
    urls = "".join(f"<url><loc>{u}</loc>{extra}</url>" for u in links)
    return (f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"{ns}>'
            f"{urls}</urlset>")


def sitemap_index(links: list[str]) -> str:
    maps = "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in links)
    return f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{maps}</sitemapindex>'

