"""A fetch pass end to end: two outlets on loopback, every kind of failure, and a second pass that
sends only conditional requests and ingests nothing."""

from __future__ import annotations

from khabar.fetch.fetcher import Fetcher
from khabar.fetch.http import FetchOptions
from khabar.store import urls
from khabar.store.db import Store
from khabar.stories.telling import list_stories

FAST = FetchOptions(delay=0.0, timeout=0.4, total_timeout=2.0, retries=1, backoff=0.01, max_bytes=200_000)
CONDITIONAL = ("if-none-match", "if-modified-since")
STAMP = "Mon, 23 Nov 2026 08:00:00 GMT"


def run(store, feeds, options=FAST):
    fetcher = Fetcher(store, options)
    try:
        return fetcher.run(feeds)
    finally:
        fetcher.close()


def build(a, b, kit):
    """Outlet A: an RSS feed of good and bad pages, and a feed of bad XML; outlet B: a robots.txt,
    a sitemap index and a news sitemap."""
    t1, body1 = kit.example("orient-ghouta-denial.txt")
    t2, body2 = kit.example("alghad-ghouta-denial.txt")
    a.route("/a/1.html", kit.article_html(t1, body1), last_modified=STAMP,
            headers={"Content-Type": "text/html; charset=utf-8"})
    legacy = kit.article_html("بيان حول الاجتماع", "قال المتحدث باسم الوزارة إن الاجتماع انتهى في عمان.\n"
                              "وأضاف أن المحادثات ستستأنف الأسبوع المقبل بحضور الوفود كلها.")
    a.route("/a/cp1256.html", legacy.replace('<meta charset="utf-8">', "").encode("cp1256"),
            headers={"Content-Type": "text/html; charset=windows-1256"}, etag='"c1"')
    a.route("/a/broken", "oops", status=500)
    a.route("/a/slow", kit.article_html("بطيء", "نص"), sleep=1.0)
    a.route("/a/big", b"x" * 10, length=50_000_000)
    a.route("/a/stream-big", b"<html>" + b"x" * 300_000, stream=True)
    a.route("/a/loop1", "", status=302, headers={"Location": "/a/loop2"})
    a.route("/a/loop2", "", status=302, headers={"Location": a.url("/a/loop1")})
    pages = [a.url(p) for p in ("/a/1.html", "/a/cp1256.html", "/a/missing", "/a/broken", "/a/slow", "/a/big",
                                "/a/stream-big", "/a/loop1")]
    feed = a.route("/rss.xml", kit.rss(pages), etag='"r1"', headers={"Content-Type": "application/rss+xml"})
    bad = a.route("/bad.xml", '<?xml version="1.0"?><rss><channel><item><title>x</ti')
    b.route("/robots.txt", "User-agent: *\nDisallow: /private/\n")
    b.route("/b/1.html", kit.article_html(t2, body2), etag='"b1"')
    b.route("/private/x.html", kit.article_html("سري", "نص سري"))
    b.route("/news.xml", kit.sitemap([b.url("/b/1.html"), b.url("/private/x.html")], news=True), last_modified=STAMP)
    index = b.route("/sitemap_index.xml", kit.sitemap_index([b.url("/news.xml")]), last_modified=STAMP)
    return [feed, bad, index]


def test_first_pass_fetches_ingests_and_reports_every_failure(outlets, kit, tmp_path):
    a, b = outlets
    feeds = build(a, b, kit)
    with Store(tmp_path / "k.db") as store:
        report = run(store, feeds)
        out = report.to_dict()
        assert (out["feeds"], out["discovered"], out["fetched"], out["not_modified"], out["skipped_robots"],
                out["ingested"], out["duplicates"]) == (4, 10, 3, 0, 1, 3, 0)
        errors = {f["url"].removeprefix(a.base): f["error"] for f in out["failed"]}
        assert set(errors) == {"/a/missing", "/a/broken", "/a/slow", "/a/big", "/a/stream-big", "/a/loop1",
                               "/bad.xml"}
        assert errors["/a/missing"] == "HTTP 404" and errors["/a/broken"] == "HTTP 500"
        assert errors["/a/slow"] == "timed out" and "redirect loop" in errors["/a/loop1"]
        assert "too large" in errors["/a/big"] and "too large" in errors["/a/stream-big"]
        assert "not a feed" in errors["/bad.xml"]
        assert a.paths().count("/a/broken") == 2  # one retry on a 500
        assert "/private/x.html" not in b.paths()  # robots.txt is obeyed
        # the outlet is the URL's host; the same story from two outlets is one story
        arts = {x.source: x for x in store.articles()}
        assert set(arts) == {"127.0.0.1", "127.0.0.2"} and len(list(store.articles())) == 3
        legacy = next(x for x in store.articles() if x.url.endswith("cp1256.html"))
        assert "الاجتماع انتهى في عمان" in legacy.text
        story = next(s for s in list_stories(store) if s["size"] == 2)
        assert sorted(story["sources"]) == ["127.0.0.1", "127.0.0.2"]
        # every URL is remembered, with the article it became
        state = urls.lookup(store, [a.url("/a/1.html"), a.url("/a/missing"), feeds[0]])
        assert state[a.url("/a/1.html")].article_id in store and state[a.url("/a/1.html")].last_modified == STAMP
        assert state[a.url("/a/missing")].status == 404 and state[a.url("/a/missing")].article_id is None
        assert state[feeds[0]].etag == '"r1"'


def test_second_pass_sends_only_conditional_requests_and_ingests_nothing(outlets, kit, tmp_path):
    a, b = outlets
    feeds = build(a, b, kit)
    with Store(tmp_path / "k.db") as store:
        run(store, feeds)
        count = store.count()
        a.log.clear()
        b.log.clear()
        again = run(store, feeds)
        assert (again.ingested, again.fetched, again.duplicates) == (0, 0, 0)
        assert again.not_modified == 3  # the RSS feed, the sitemap index, the news sitemap
        assert store.count() == count
    stored = {"/a/1.html", "/a/cp1256.html", "/b/1.html"}
    for site in (a, b):
        for path, headers in site.log:
            assert path not in stored  # a page stored already is not asked for again
            if path in ("/rss.xml", "/sitemap_index.xml", "/news.xml"):
                assert any(h in headers for h in CONDITIONAL), path
    # what failed for a passing reason is tried again; a 404 and a redirect loop are not
    assert {"/a/broken", "/a/slow", "/a/big", "/a/stream-big"} <= set(a.paths())
    assert "/a/missing" not in a.paths() and "/a/loop1" not in a.paths()


def test_unchanged_feeds_get_only_conditional_requests(outlets, kit, tmp_path):
    a, b = outlets
    title, body = kit.example("orient-ghouta-denial.txt")
    a.route("/a/1.html", kit.article_html(title, body), etag='"p1"')
    b.route("/b/2.html", kit.article_html("اجتماع في عمان", "قال المتحدث إن الاجتماع انتهى في عمان.\n"
                                          "وأضاف أن المحادثات ستستأنف الأسبوع المقبل."), last_modified=STAMP)
    feeds = [a.route("/feed", kit.rss([a.url("/a/1.html")]), etag='"f1"'),
             b.route("/sitemap.xml", kit.sitemap([b.url("/b/2.html")]), last_modified=STAMP)]
    with Store(tmp_path / "k.db") as store:
        first = run(store, feeds)
        assert (first.fetched, first.ingested, first.failed) == (2, 2, [])
        a.log.clear()
        b.log.clear()
        second = run(store, feeds)
    assert second.to_dict() == {"feeds": 2, "discovered": 0, "fetched": 0, "not_modified": 2,
                                "skipped_robots": 0, "failed": [], "ingested": 0, "duplicates": 0}
    requests = [(p, h) for site in (a, b) for p, h in site.log if p != "/robots.txt"]
    assert sorted(p for p, _ in requests) == ["/feed", "/sitemap.xml"]
    assert all(any(h in headers for h in CONDITIONAL) for _, headers in requests)
    assert dict(a.log)["/feed"]["if-none-match"] == '"f1"'
    assert dict(b.log)["/sitemap.xml"]["if-modified-since"] == STAMP


def test_a_page_the_sitemap_says_changed_is_asked_again_conditionally(outlets, kit, tmp_path):
    a, _ = outlets
    title, body = kit.example("orient-ghouta-denial.txt")
    a.route("/a/1.html", kit.article_html(title, body), etag='"p1"')
    feed = a.route("/sitemap.xml", kit.sitemap([a.url("/a/1.html")]))
    with Store(tmp_path / "k.db") as store:
        assert run(store, [feed]).ingested == 1
        later = kit.sitemap([a.url("/a/1.html")]).replace("</loc>", "</loc><lastmod>2999-01-01</lastmod>")
        a.route("/sitemap.xml", later)
        a.log.clear()
        second = run(store, [feed])
    assert (second.not_modified, second.ingested) == (1, 0)
    assert dict(a.log)["/a/1.html"]["if-none-match"] == '"p1"'


def test_a_page_linking_to_its_feed_is_followed(outlets, kit, tmp_path):
    a, _ = outlets
    title, body = kit.example("orient-ghouta-denial.txt")
    a.route("/a/1.html", kit.article_html(title, body))
    a.route("/feed.atom", f'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><title>x</title>'
            f'<link href="{a.url("/a/1.html")}"/><updated>2026-11-23T08:00:00Z</updated></entry></feed>')
    home = a.route("/", '<!DOCTYPE html><html><head><link rel="alternate" type="application/atom+xml" '
                   'href="/feed.atom"></head><body>home</body></html>')
    with Store(tmp_path / "k.db") as store:
        report = run(store, [home])
    assert (report.feeds, report.discovered, report.ingested, report.failed) == (2, 1, 1, [])


def test_robots_txt_down_refuses_the_site_and_other_feeds_go_on(outlets, kit, tmp_path):
    a, b = outlets
    title, body = kit.example("orient-ghouta-denial.txt")
    a.route("/a/1.html", kit.article_html(title, body))
    b.route("/robots.txt", "down", status=503)
    feeds = [b.route("/rss.xml", kit.rss([b.url("/b/1.html")])), a.route("/rss.xml", kit.rss([a.url("/a/1.html")]))]
    with Store(tmp_path / "k.db") as store:
        report = run(store, feeds)
    # an unreadable robots.txt is a failure named by the feed and the reason, not a site's refusal
    assert (report.skipped_robots, report.ingested) == (0, 1)
    assert report.failed == [{"url": feeds[0], "error": "robots.txt unavailable (HTTP 503): nothing fetched "
                                                          "from this site now"}]
    assert b.paths().count("/rss.xml") == 0


def test_a_page_that_is_no_html_is_reported_not_read(outlets, kit, tmp_path):
    a, _ = outlets
    a.route("/a/doc.pdf", b"%PDF-1.7 ...", headers={"Content-Type": "application/pdf"})
    a.route("/a/empty.html", "<!DOCTYPE html><html><body><img src=x.png></body></html>",
            headers={"Content-Type": "text/html"})
    feed = a.route("/rss.xml", kit.rss([a.url("/a/doc.pdf"), a.url("/a/empty.html")]))
    with Store(tmp_path / "k.db") as store:
        report = run(store, [feed])
        state = urls.lookup(store, [a.url("/a/empty.html")])[a.url("/a/empty.html")]
    assert [f["error"] for f in report.failed] == ["not an HTML page (application/pdf)",
                                                   "no article text found in the HTML"]
    assert (report.fetched, report.ingested, state.status, state.error) == (
        2, 0, 200, "no article text found in the HTML")


def test_fetched_pages_fire_alerts_once(outlets, kit, tmp_path):
    from khabar.follow.alerts import add_alert, matches

    a, b = outlets
    feeds = build(a, b, kit)
    with Store(tmp_path / "k.db") as store:
        add_alert(store, words="الغوطة", name="ghouta")
        run(store, feeds)
        run(store, feeds)
        found = matches(store)
    assert sorted(m["alert"] for m in found) == ["ghouta", "ghouta"]  # both example pages, once each
