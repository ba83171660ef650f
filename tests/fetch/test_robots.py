"""robots.txt from a real local server: rules, Crawl-delay (bounded), and what a missing or failing file means."""

from __future__ import annotations

from khabar.fetch.http import Downloader, FetchOptions
from khabar.fetch.robots import Robots, Rules

FAST = FetchOptions(delay=0.0, timeout=0.5, retries=0, max_crawl_delay=5.0)


def robots(options=FAST):
    return Robots(Downloader(options))


def test_rules_and_crawl_delay_bounded(outlets):
    a, _ = outlets
    a.route("/robots.txt", "User-agent: khabar\nDisallow: /x/\nCrawl-delay: 3600\n\nUser-agent: *\nDisallow: /\n")
    r = robots()
    assert not r.allowed(a.url("/x/1")) and r.allowed(a.url("/y/1"))
    assert r.delay(a.url("/y/1")) == 5.0  # asked an hour, bounded
    r.allowed(a.url("/z"))
    assert a.paths() == ["/robots.txt"]  # read once per origin


def test_missing_robots_allows_and_a_failing_one_refuses(outlets):
    a, b = outlets
    b.route("/robots.txt", "", status=500)
    r = robots()
    assert r.allowed(a.url("/anything")) and r.delay(a.url("/")) == 0.0
    assert not r.allowed(b.url("/anything"))
    assert "unavailable (HTTP 500)" in r.rules(b.url("/")).reason


def test_the_product_token_is_matched():
    rules = Rules.parse("User-agent: khabar\nDisallow: /\n", "http://a.example")
    assert not rules.allowed("http://a.example/1", "khabar") and rules.allowed("http://a.example/1", "other")
