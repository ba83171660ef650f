"""The polite downloader against a real local server: per-host turns, retries, caps, redirects."""

from __future__ import annotations

import threading
import time

import pytest

from khabar.fetch.http import Downloader, FetchOptions, Stopped, host_of, retry_after

FAST = FetchOptions(delay=0.0, timeout=0.5, total_timeout=2.0, retries=2, backoff=0.01, max_bytes=10_000)


def get(url, options=FAST, **kw):
    d = Downloader(options)
    try:
        return d.get(url, **kw)
    finally:
        d.close()


def test_requests_to_one_host_are_spaced_by_the_delay_and_other_hosts_are_not_held(outlets):
    a, b = outlets
    a.route("/x", "a")
    b.route("/y", "b")
    d = Downloader(FetchOptions(delay=0.3, timeout=1.0))
    t0 = time.monotonic()
    d.get(a.url("/x"))
    d.get(b.url("/y"))
    other = time.monotonic() - t0
    d.get(a.url("/x"))
    same = time.monotonic() - t0
    d.close()
    assert other < 0.25 <= 0.3 <= same + 0.01


def test_conditional_headers_are_sent_and_304_comes_back(outlets):
    a, _ = outlets
    a.route("/f", "feed", etag='"v1"', last_modified="Mon, 23 Nov 2026 08:00:00 GMT")
    first = get(a.url("/f"))
    assert (first.status, first.body, first.headers["etag"]) == (200, b"feed", '"v1"')
    again = get(a.url("/f"), etag='"v1"', last_modified="Mon, 23 Nov 2026 08:00:00 GMT")
    assert (again.status, again.body, again.error) == (304, b"", None)
    headers = a.log[-1][1]
    assert headers["if-none-match"] == '"v1"' and headers["if-modified-since"].startswith("Mon, 23 Nov")


def test_retry_after_is_honoured_then_gives_up(outlets):
    a, _ = outlets
    a.route("/busy", "slow down", status=429, headers={"Retry-After": "1"})
    t0 = time.monotonic()
    r = get(a.url("/busy"), FetchOptions(delay=0.0, timeout=0.5, retries=1, backoff=0.01))
    assert time.monotonic() - t0 >= 0.95  # waited the second it was asked to, not the 10 ms backoff
    assert (r.status, r.error, r.requests) == (429, "HTTP 429", 2)


def test_a_retry_after_beyond_the_bound_is_not_waited_for(outlets):
    a, _ = outlets
    a.route("/busy", "", status=503, headers={"Retry-After": "3600"})
    t0 = time.monotonic()
    r = get(a.url("/busy"))
    assert time.monotonic() - t0 < 0.5 and "Retry-After over" in r.error and r.requests == 1


def test_backoff_doubles_between_retries_of_a_5xx(outlets):
    a, _ = outlets
    a.route("/down", "", status=502)
    t0 = time.monotonic()
    r = get(a.url("/down"), FetchOptions(delay=0.0, timeout=0.5, retries=2, backoff=0.1))
    assert time.monotonic() - t0 >= 0.3  # 0.1 then 0.2
    assert (r.requests, a.paths().count("/down")) == (3, 3)


def test_a_client_error_is_not_retried(outlets):
    a, _ = outlets
    assert get(a.url("/nothing")).requests == 1 and a.paths() == ["/nothing"]


def test_size_cap_by_header_and_while_streaming(outlets):
    a, _ = outlets
    a.route("/claims", b"x", length=10**9)
    a.route("/streams", b"y" * 50_000, stream=True)
    a.route("/fits", b"z" * 10_000)
    assert "too large (953.7 MB" in get(a.url("/claims")).error
    assert "too large (over" in get(a.url("/streams")).error
    assert len(get(a.url("/fits")).body) == 10_000
    assert a.paths().count("/claims") == 1  # a size error is not retried


def test_redirects_are_followed_and_bounded(outlets):
    a, b = outlets
    a.route("/old", "", status=301, headers={"Location": b.url("/new")})
    b.route("/new", "here")
    r = get(a.url("/old"))
    assert (r.status, r.body, r.final_url) == (200, b"here", b.url("/new"))
    for i in range(8):
        a.route(f"/hop{i}", "", status=302, headers={"Location": f"/hop{i + 1}"})
    assert get(a.url("/hop0")).error == "more than 5 redirects"
    a.route("/ftp", "", status=302, headers={"Location": "ftp://example.com/x"})
    assert "unusable location" in get(a.url("/ftp")).error


def test_a_redirect_robots_txt_disallows_is_not_followed(outlets):
    a, b = outlets
    a.route("/go", "", status=302, headers={"Location": b.url("/private/x")})
    r = get(a.url("/go"), allowed=lambda url: "/private/" not in url)
    assert r.robots and "robots.txt disallows" in r.error and b.paths() == []


def test_a_slow_server_times_out_and_a_dripping_one_hits_the_total_limit(outlets):
    a, _ = outlets
    a.route("/slow", "late", sleep=1.0)
    t0 = time.monotonic()
    r = get(a.url("/slow"), FetchOptions(delay=0.0, timeout=0.3, retries=0))
    assert r.error == "timed out" and r.status is None and time.monotonic() - t0 < 0.9
    a.route("/drip", b"d" * 3000, drip=0.1)  # each piece well within the read timeout
    t0 = time.monotonic()
    r = get(a.url("/drip"), FetchOptions(delay=0.0, timeout=0.3, total_timeout=0.5, retries=0))
    assert r.error == "timed out (response over 0.5 s)" and time.monotonic() - t0 < 1.5


def test_unreachable_host_is_a_short_error():
    r = get("http://127.0.0.1:9/", FetchOptions(delay=0.0, timeout=0.3, retries=0))
    assert r.status is None and r.error and len(r.error) <= 200


def test_stop_ends_a_wait_for_the_host_turn(outlets):
    a, _ = outlets
    a.route("/x", "a")
    stop = threading.Event()
    d = Downloader(FetchOptions(delay=30.0), stop)
    d.get(a.url("/x"))
    threading.Timer(0.2, stop.set).start()
    t0 = time.monotonic()
    with pytest.raises(Stopped):
        d.get(a.url("/x"))
    assert time.monotonic() - t0 < 2


def test_options_are_validated():
    for bad in ({"delay": -1}, {"timeout": 0}, {"retries": -1}, {"hosts": 0}, {"delay": float("nan")}):
        with pytest.raises(ValueError):
            FetchOptions(**bad)


def test_retry_after_forms_and_host_of():
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 60.0) == 0.0  # a date in the past: now
    assert retry_after("12", 10.0) == float("inf") and retry_after("-3", 60.0) is None
    assert retry_after("9" * 40, 60.0) == float("inf")
    assert host_of("https://A.example/x") == "a.example:443" and host_of("http://a.example:8080/") == "a.example:8080"
