"""Hostile input (issue 11): no pattern can stall khabar, no bad file or record takes good ones with it.

Timing tests compare the time for an input of size n with the time for size 4n (linear: about 4×,
quadratic: 16×), never against a wall clock; an alarm only turns a hang into a failure.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import re
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from re import _compiler as sre_compile  # private, test-only: walk each regex to build inputs for it
from re import _constants as sre
from re import _parser as sre_parse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from warcio.archiveiterator import ArchiveIterator

from khabar.read import clean as clean_mod
from khabar.read import decode as decode_mod
from khabar.read import formats, pagetime, untrusted
from khabar.read.clean import to_article
from khabar.read.formats import read
from khabar.store.db import Store
from khabar.types import Document, ReadError

# The WARC builder of the format tests (a module of its own under --import-mode=importlib).
_spec = importlib.util.spec_from_file_location("_test_formats", Path(__file__).with_name("test_formats.py"))
test_formats = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(test_formats)  # type: ignore[union-attr]

# --- timing -----------------------------------------------------------------------------------------

LINEAR = 8.0  # t(4n) / t(n) above this is superlinear: linear gives about 4, quadratic 16
HANG_S = 5  # an input that has not finished after this long is a hang (exponential backtracking)


@contextmanager
def _alarm(what: str | Callable[[], str]) -> Iterator[None]:
    """Fail instead of hanging (``re`` checks for signals while it backtracks); ``what`` names the input."""

    def ring(*_: object) -> None:
        raise TimeoutError(what() if callable(what) else what)

    old = signal.signal(signal.SIGALRM, ring)
    signal.alarm(HANG_S)
    try:
        yield
    except TimeoutError:
        pytest.fail(f"no answer after {HANG_S} s: {what() if callable(what) else what}")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _ratio(f: Callable[[int], object], n: int) -> float:
    """``time(f(4n)) / time(f(n))`` in CPU time of this thread (other processes on a busy machine do not
    count), runs of each size interleaved, the best of seven of each, every run long enough to measure."""
    loops = 1
    while True:
        t0 = time.thread_time()
        for _ in range(loops):
            f(n)
        if time.thread_time() - t0 >= 0.0005 or loops >= 4096:
            break
        loops *= 4
    best = [float("inf"), float("inf")]
    for _ in range(7):
        for i, size in enumerate((n, 4 * n)):
            t0 = time.thread_time()
            for _ in range(loops):
                f(size)
            best[i] = min(best[i], time.thread_time() - t0)
    return best[1] / max(best[0], 1e-9)


# --- adversarial strings for a regex ------------------------------------------------------------------

# Characters to fill each character class with: ASCII letters, digits, space, the punctuation and
# brackets the patterns use, Arabic letters and punctuation, a Latin-1 letter, an emoji.
POOL = list("az09 \t-_.,:;!?=[]/|\"'()<>#&*+«»…،؟ابيهه٣é\u00a0💡\ufe0f")
TAILS = ("", "z", "!", "  ", "\x00", "]")
RUN = 1024  # characters in the shorter run (the longer one has 4×)


class _Inputs:
    """Adversarial strings for one regex: a prefix that reaches each loop, a long run of what the loop
    eats (each character class it uses, each word, each piece of a match), a tail that fails."""

    def __init__(self, pattern: str, flags: int) -> None:
        self.tree = sre_parse.parse(pattern, flags)
        self.flags = flags
        self.cases: set[tuple[str, str, str]] = set()
        self._chars: dict[int, list[str]] = {}
        self._loops: dict[int, int] = {}  # prefixes recorded per loop: two are enough
        for choice in range(self._max_branches(self.tree.data)):
            w = self._walk(self.tree.data, choice, "")
            for cut in range(len(w) + 1):  # pieces of a whole match, repeated: "[a b=[a b=…"
                if w[:cut]:
                    self.cases.add(("", w[:cut], "z"))
            for tail in TAILS:
                self.cases.add((w, w, tail))

    def _max_branches(self, items: list) -> int:
        n = 1
        for op, av in items:
            if op is sre.BRANCH:
                n = max(n, len(av[1]), *(self._max_branches(b.data) for b in av[1]))
            elif op is sre.SUBPATTERN:
                n = max(n, self._max_branches(av[3].data))
            elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
                n = max(n, self._max_branches(av[2].data))
            elif op is sre.ATOMIC_GROUP:
                n = max(n, self._max_branches(av.data))
        return n

    def chars(self, node: tuple) -> list[str]:
        """Pool characters one class node accepts (a few of them)."""
        key = id(node)
        if key not in self._chars:
            one = sre_compile.compile(sre_parse.SubPattern(self.tree.state, [node]), self.flags)
            hits = [c for c in POOL if one.fullmatch(c)]
            self._chars[key] = hits[:2] + [c for c in hits[2:] if not c.isascii()][:2]
        return self._chars[key]

    def _walk(self, items: list, choice: int, before: str) -> str:
        """A string matching ``items`` (branch ``choice`` where there is one); records a case per loop."""
        out = before
        for node in items:
            op, av = node
            if op is sre.LITERAL:
                out += chr(av)
            elif op in (sre.IN, sre.ANY, sre.NOT_LITERAL, sre.CATEGORY):
                hits = self.chars(node)
                out += hits[0] if hits else ""
            elif op is sre.BRANCH:
                branches = av[1]
                out = self._walk(branches[min(choice, len(branches) - 1)].data, choice, out)
            elif op is sre.SUBPATTERN:
                out = self._walk(av[3].data, choice, out)
            elif op is sre.ATOMIC_GROUP:
                out = self._walk(av.data, choice, out)
            elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
                lo, hi, body = av
                one = self._walk(body.data, choice, "")
                if hi > 1 and self._loops.setdefault(id(node), 0) < 2:  # a loop: run what it eats, then fail
                    self._loops[id(node)] += 1
                    units = {one, *self._class_chars(body.data), *self._words(body.data)}
                    for unit in filter(None, units):
                        for tail in TAILS:
                            self.cases.add((out, unit, tail))
                out += one * max(lo, 1 if hi else 0)
            # AT, ASSERT, ASSERT_NOT, GROUPREF: nothing to add
        return out

    def _class_chars(self, items: list) -> set[str]:
        found: set[str] = set()
        for node in items:
            op, av = node
            if op in (sre.IN, sre.ANY, sre.NOT_LITERAL, sre.CATEGORY):
                found.update(self.chars(node))
            for sub in self._children(op, av):
                found |= self._class_chars(sub)
        found.update([c + " " for c in found] + [c * 3 + " " for c in found])
        return found

    def _words(self, items: list) -> set[str]:
        words, cur = set(), ""
        for op, av in items:
            if op is sre.LITERAL:
                cur += chr(av)
                continue
            if len(cur) > 1:
                words |= {cur, cur + " "}
            cur = ""
            for sub in self._children(op, av):
                words |= self._words(sub)
        if len(cur) > 1:
            words |= {cur, cur + " "}
        return words

    @staticmethod
    def _children(op: object, av: object) -> list[list]:
        if op is sre.BRANCH:
            return [b.data for b in av[1]]
        if op is sre.SUBPATTERN:
            return [av[3].data]
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            return [av[2].data]
        if op is sre.ATOMIC_GROUP:
            return [av.data]
        return []

    def strings(self, run: int) -> list[tuple[tuple[str, str, str], str]]:
        out = []
        for case in sorted(self.cases):
            prefix, unit, tail = case
            out.append((case, prefix + unit * max(1, run // len(unit)) + tail))
        return out


def _assert_linear(name: str, regex: re.Pattern[str], use: Callable[[re.Pattern[str], str], object],
                   inputs: _Inputs) -> None:
    """Screen every adversarial string at ``RUN`` characters, then time the slowest two at n and 4n."""
    timed: list[tuple[float, tuple[str, str, str]]] = []
    current = [""]
    with _alarm(lambda: f"{name} on {current[0][:80]!r}… ({len(current[0])} characters)"):
        for case, s in inputs.strings(RUN):
            current[0] = s
            signal.alarm(HANG_S)  # per input
            t0 = time.thread_time()
            use(regex, s)
            timed.append((time.thread_time() - t0, case))
    for _, (prefix, unit, tail) in sorted(timed, reverse=True)[:2]:

        def make(n: int, prefix: str = prefix, unit: str = unit, tail: str = tail) -> object:
            return use(regex, prefix + unit * max(1, n // len(unit)) + tail)

        with _alarm(f"{name} on {prefix!r} + {unit!r}×{4 * RUN // len(unit)} + {tail!r}"):
            ratio = _ratio(make, RUN)
        assert ratio < LINEAR, f"{name}: superlinear ({ratio:.1f}× for 4× the input) on {prefix!r} + {unit!r}×n"


# The leading (?=.{0,N}$) of a line pattern bounds the line it is tried on; the rest must be linear on
# its own, since N² steps per line of a 20 MB file would still stall ingest.
_BOUND = re.compile(r"^\(\?=\.\{0,\d+\}\$\)")


def _tsv_rows() -> list[tuple[str, str, str]]:
    rows = []
    for lineno, row in enumerate(clean_mod.DEFAULT_PATTERNS.read_text(encoding="utf-8").splitlines(), 1):
        if row.strip() and not row.lstrip().startswith("#"):
            kind, regex = row.split("\t")[:2]
            rows.append((f"boilerplate.tsv:{lineno}", kind, regex))
    return rows


def _fullmatch(regex: re.Pattern[str], s: str) -> object:
    return regex.fullmatch(s)


def _finditer(regex: re.Pattern[str], s: str) -> object:
    return sum(1 for _ in regex.finditer(s))


@pytest.mark.parametrize(("where", "kind", "regex"), _tsv_rows(), ids=[r[0] for r in _tsv_rows()])
def test_every_boilerplate_pattern_is_linear(where: str, kind: str, regex: str) -> None:
    body = _BOUND.sub("", regex)
    inputs = _Inputs(body, re.IGNORECASE)
    use = _finditer if kind == "inline" else _fullmatch  # inline patterns search the raw text
    _assert_linear(where, re.compile(body, re.IGNORECASE), use, inputs)


_MODULE_REGEXES = {
    "formats._HTML_START": (formats._HTML_START, "match"),
    "formats._META_CHARSET": (formats._META_CHARSET, "search"),
    "clean._SENTENCE_END": (clean_mod._SENTENCE_END, "search"),
    "decode._ENTITY": (decode_mod._ENTITY, "search"),
    "decode._LATIN_IN_ARABIC": (decode_mod._LATIN_IN_ARABIC, "findall"),
    "decode._TANWIN_INSIDE": (decode_mod._TANWIN_INSIDE, "findall"),
    "pagetime._META": (pagetime._META, "findall"),
    "pagetime._TIME": (pagetime._TIME, "findall"),
    "pagetime._ATTR": (pagetime._ATTR, "findall"),
    "pagetime._JSONLD": (pagetime._JSONLD, "findall"),
}


@pytest.mark.parametrize(
    ("what", "make"),
    [
        ("unclosed meta tags", lambda n: "<meta property=article:published_time content=" * (n * 20)),
        ("attribute soup", lambda n: "<meta " + "a = b " * (n * 40) + ">"),
        ("unfinished JSON-LD dates", lambda n: '"datePublished" : "2018' * (n * 20)),
        ("bare time tags", lambda n: "<time datetime='x' " * (n * 20)),
    ],
)
def test_page_time_is_read_in_linear_time(what: str, make: Callable[[int], str]) -> None:
    with _alarm(f"published_time() on {what}"):
        assert pagetime.published_time(make(30)) is None
        ratio = _ratio(lambda k: pagetime.published_time(make(k)), 32)
    assert ratio < LINEAR, f"{what}: published_time() superlinear ({ratio:.1f}× for 4× the input)"


@pytest.mark.parametrize("name", sorted(_MODULE_REGEXES))
def test_the_readers_own_regexes_are_linear(name: str) -> None:
    regex, how = _MODULE_REGEXES[name]
    if isinstance(regex.pattern, bytes):  # _META_CHARSET works on bytes: test its text twin
        regex = re.compile(regex.pattern.decode("latin-1"), regex.flags & ~re.UNICODE)
    inputs = _Inputs(regex.pattern, regex.flags)

    def use(r: re.Pattern[str], s: str) -> object:
        return list(r.finditer(s)) if how == "findall" else getattr(r, how)(s)

    _assert_linear(name, regex, use, inputs)


# --- the reproductions, end to end through clean() -----------------------------------------

LINE = "نص الخبر الأول في جملة كاملة."


@pytest.mark.parametrize(
    ("what", "make", "n"),
    [
        # share buttons: facebook + n×1 + z was exponential (n=30, a 108-byte file, never finished)
        ("share buttons", lambda n: f"t\n{LINE}\nfacebook{'1' * n}z\n", 32),
        # «تابعوا … عبر …»: a 64-character line took 0.15 s, 84 characters over 20 s
        ("follow prompt", lambda n: f"{LINE}\nتابعوا عبر {' '.join(['خبر'] * n)}  !\n", 32),
        # shortcode attributes: [a b= repeated was quadratic (100 KB: 15 s)
        ("unclosed shortcodes", lambda n: LINE + "\n" + "[a b=" * (n * 50), 32),
        ("breadcrumbs", lambda n: LINE + "\nhome " + "- a " * n + "!\n", 32),
        ("many short lines", lambda n: LINE + "\n" + "facebook 1 twitter 2 x\n" * (n * 10), 32),
    ],
)
def test_hostile_text_is_cleaned_in_linear_time(what: str, make: Callable[[int], str], n: int) -> None:
    with _alarm(f"clean() on {what}"):
        assert LINE in clean_mod.clean(make(30)).text
        ratio = _ratio(lambda k: clean_mod.clean(make(k)), n)
    assert ratio < LINEAR, f"{what}: clean() superlinear ({ratio:.1f}× for 4× the input)"


@pytest.mark.parametrize("unit", ["ا ", "[a b=", "1", "facebook ", "home - ", "تابعوا عبر ", "<!--", "\u00a0"])
def test_combined_patterns_on_1mb_lines(unit: str) -> None:
    """Each kind's whole alternation, as clean() runs it, on a 256 KB and a 1 MB line (clean() itself is
    not timed at that size: the allocator's page faults for its copies are not linear in the size)."""
    pats = clean_mod._default_patterns()
    for kind in clean_mod.KINDS:
        regex = getattr(pats, kind)
        use = _finditer if kind == "inline" else _fullmatch
        # the lines are built before the clock starts: building a 1 MB string is the allocator's time
        # (its page faults are not linear in the size), not the pattern's
        lines = {n: unit * (n // len(unit)) + "z" for n in (256_000, 1_024_000)}
        with _alarm(f"{kind} patterns on a 1 MB line of {unit!r}"):
            ratio = _ratio(lambda n, regex=regex, use=use, lines=lines: use(regex, lines[n]), 256_000)
        assert ratio < LINEAR, f"{kind} patterns superlinear ({ratio:.1f}×) on a line of {unit!r}"
    big = LINE + "\n" + unit * (1_000_000 // len(unit)) + "\n" + LINE
    with _alarm(f"clean() on a 1 MB line of {unit!r}"):
        assert clean_mod.clean(big).text.count(LINE) == 2


# --- each failure isolated to its record ------------------------------------------------------------


def _read_all(*args: object, **kw: object) -> tuple[list[Document], list[ReadError]]:
    out = list(read(*args, **kw))  # type: ignore[arg-type]
    return [d for d in out if isinstance(d, Document)], [e for e in out if isinstance(e, ReadError)]


def _jsonl(text: str) -> bytes:
    return (json.dumps({"title": "عنوان", "text": text}, ensure_ascii=False) + "\n").encode()


def test_deeply_nested_jsonl_line_is_one_error_and_the_next_lines_are_read(tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    path.write_bytes(_jsonl(LINE) + b"[" * 100_000 + b"\n" + b'{"a": ' * 5000 + b"\n" + _jsonl(LINE + " ثان"))
    docs, errors = _read_all(path)
    assert [d.origin for d in docs] == [f"{path}:1", f"{path}:4"]
    assert [e.path for e in errors] == [f"{path}:2", f"{path}:3"]
    assert all("nested deeper than" in e.error for e in errors)


def test_deep_json_first_line_and_sidecar_do_not_take_the_file_or_folder(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_bytes(b'{"text": ' + b"[" * 50_000 + b"\n" + _jsonl(LINE))
    (tmp_path / "b.txt").write_text(f"عنوان\n{LINE}\n", encoding="utf-8")
    (tmp_path / "sources.json").write_bytes(b"{" * 50_000)
    docs, errors = _read_all(tmp_path)
    assert [Path(d.origin).name for d in docs] == ["a.jsonl:2", "b.txt"]
    assert any(e.path.endswith("sources.json") and "nested deeper" in e.error for e in errors)


def test_json_depth_check_is_exact_and_ignores_brackets_in_strings() -> None:
    assert untrusted.loads(b"[" * 100 + b"]" * 100) is not None
    with pytest.raises(ValueError, match="nested deeper"):
        untrusted.loads(b"[" * 101 + b"]" * 101)
    text = '{"text": "' + "[{" * 10_000 + '\\" [["}'
    assert untrusted.loads(text) == {"text": "[{" * 10_000 + '" [['}


def test_lone_surrogates_in_json_become_replacement_characters(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_bytes(b'{"title": "a\\udcff", "text": "' + LINE.encode() + b' \\ud800 end"}\n')
    [doc] = read(path)
    assert doc.text == f"{LINE} \ufffd end" and doc.title == "a\ufffd"


def _cut_record_errors(data: bytes, cut: int) -> tuple[list[str], list[ReadError]]:
    docs, errors = _read_all(["-"], stdin=io.BytesIO(data[:cut]))
    return [d.origin for d in docs], errors


@pytest.mark.parametrize("gz", [True, False])
def test_truncated_warc_reports_its_cut_record(gz: bool) -> None:
    data = test_formats.warc(gz)
    spans = [(i + 1, off, length) for i, (off, length) in enumerate(_record_spans(data))]
    for number, offset, length in spans:
        origins, errors = _cut_record_errors(data, offset + length // 2)
        assert errors, f"cut inside record #{number}: nothing reported"
        # the cut record by number, or (gzip, cut inside a record's headers) the last whole one
        assert any(e.path.endswith(f"#{number}") or f"after record #{number - 1}" in e.error for e in errors)
        assert all("truncated" in e.error or "malformed" in e.error for e in errors)
        assert "<stdin>#2" in origins or number <= 2  # the whole records before the cut are kept
    origins, errors = _cut_record_errors(data, len(data) - 10)  # the end of the last page (or gzip) cut
    assert origins[0] == "<stdin>#2" and errors


def _record_spans(data: bytes) -> list[tuple[int, int]]:
    archive = ArchiveIterator(io.BytesIO(data))
    return [(archive.get_record_offset(), archive.get_record_length()) for _ in archive]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_in_a_folder_is_skipped_with_a_message_not_a_hang(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(f"عنوان\n{LINE}\n", encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.txt")
    with _alarm("reading a folder with a FIFO"):
        docs, errors = _read_all(tmp_path)
        docs2, errors2 = _read_all([tmp_path / "pipe.txt", "/dev/zero"])
    assert [Path(d.origin).name for d in docs] == ["a.txt"]
    assert [(Path(e.path).name, e.error) for e in errors] == [("pipe.txt", "skipped: not a regular file (named pipe)")]
    assert [e.error for e in errors2] == [
        "skipped: not a regular file (named pipe)",
        "skipped: not a regular file (character device)",
    ]


def test_undecodable_and_newline_file_names_are_escaped_and_stored(tmp_path: Path) -> None:
    folder = os.fsencode(tmp_path)
    for raw in (b"odd\xff.txt", b"two\nlines.txt", b"good.txt", b"empty\xfe\n.txt"):
        body = b"" if raw.startswith(b"empty") else f"عنوان {raw!r}\n{LINE}\n".encode()
        with open(os.path.join(folder, raw), "wb") as fh:
            fh.write(body)
    docs, errors = _read_all(tmp_path)
    names = sorted(Path(d.origin).name for d in docs)
    assert names == ["good.txt", "odd\\xff.txt", "two\\nlines.txt"]
    [error] = errors
    assert Path(error.path).name == "empty\\xfe\\n.txt" and "\n" not in error.path
    articles = [to_article(d) for d in docs]
    with Store(":memory:") as store:
        assert store.add_many(articles) == [True, True, True]
        assert sorted(Path(a.origin).name for a in store.articles()) == names


def test_store_insert_escapes_what_utf8_cannot_hold() -> None:
    article = to_article(Document(text=LINE, title="عنوان", origin="odd\udcff.txt"))
    article.raw = article.raw + "\ud800"
    article.author = "x\udcfe"
    with Store(":memory:") as store:
        assert store.add(article)
        [stored] = store.articles()
    assert (stored.origin, stored.author) == ("odd\\udcff.txt", "x\\udcfe")
    assert stored.raw == LINE + "\ufffd" and len(stored.raw) == len(article.raw)


# --- a property-based fuzz of the readers and the cleaner ---------------------------------------------

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_ARABIC = st.text(alphabet=st.characters(min_codepoint=0x0621, max_codepoint=0x064A), max_size=40)
_PIECES = st.sampled_from([
    "<", ">", "</p>", "<p>", "<html>", "<!--", "-->", "<meta charset=", "[", "]", "[a b=", "[/x]", "&amp;",
    "&#1575;", "facebook", "1", "تابعوا", "عبر", "اقرأ أيضا", "التعليقات", "home", " - ", "\n", "\r\n", " ",
    '{"text": "', '"}', "\x00", "\ufeff", "\ud800", "💡", "الخبر في جملة كاملة.",
])
_MARKUP = st.lists(st.one_of(_PIECES, _ARABIC), max_size=40).map("".join)
_KINDS = ["x.txt", "x.html", "x.jsonl", "x.warc", "x.warc.gz", "x"]


def _only_documents_or_errors(items: list[object]) -> None:
    for item in items:
        assert isinstance(item, Document | ReadError)
        if isinstance(item, ReadError):
            assert "\n" not in item.path and item.error


@FUZZ
@given(data=st.binary(max_size=2048), name=st.sampled_from(_KINDS))
def test_fuzz_readers_on_random_bytes(data: bytes, name: str) -> None:
    with _alarm(f"read() on {len(data)} random bytes as {name}"):
        _only_documents_or_errors(list(formats._read_stream(
            io.BufferedReader(io.BytesIO(data)), name, formats._kind_by_name(name), len(data),
            formats._Context(source=None))))
        _only_documents_or_errors(list(read(["-"], stdin=io.BytesIO(data))))


@FUZZ
@given(text=_MARKUP, encoding=st.sampled_from(["utf-8", "utf-16", "cp1256", "iso8859_6"]))
def test_fuzz_decode_arabic_in_its_encodings(text: str, encoding: str) -> None:
    data = text.encode(encoding, errors="replace")
    try:
        decoded = decode_mod.decode(data)
    except decode_mod.DecodeError:
        return  # binary-looking or undecodable bytes: refused by name, never another exception
    if encoding.startswith("utf") and "\ud800" not in text and "\x00" not in text:
        assert decoded == text.removeprefix("\ufeff") or decoded == text


@FUZZ
@given(text=_MARKUP, title=_MARKUP, name=st.sampled_from(_KINDS))
def test_fuzz_cleaner_and_readers_on_random_markup(text: str, title: str, name: str) -> None:
    with _alarm("clean() on random markup"):
        c = clean_mod.clean(text, clean_mod.clean_title(title))
    for i in range(len(c.text)):
        assert text[c.to_raw(i)] == c.text[i]
    data = (title + "\n" + text).encode("utf-8", "surrogatepass")
    with _alarm(f"read() on random markup as {name}"):
        _only_documents_or_errors(list(formats._read_stream(
            io.BufferedReader(io.BytesIO(data)), name, formats._kind_by_name(name), len(data),
            formats._Context(source=None))))


def test_line_rules_read_the_ends_of_a_very_long_text(monkeypatch) -> None:
    # the cost bound: a boilerplate line deep inside a huge text is kept, the same line near an end goes
    monkeypatch.setattr(clean_mod, "LINE_RULE_CHARS", 500)
    prose = "".join(f"نص الخبر في جملة كاملة رقم {i} عن الاجتماع.\n" for i in range(100))
    share = "شارك على فيسبوك\n"
    text = share + prose + share + prose + share
    assert clean_mod.clean(share + prose).text.count("رقم") == 100  # the line is boilerplate
    out = clean_mod.clean(text)
    assert out.text.count("شارك") == 1 and out.text.count("رقم") == 200
    for clean_at, raw_at, length in out.spans:  # the kept run still maps back to the raw text
        assert out.text[clean_at : clean_at + length] == text[raw_at : raw_at + length]
    # an inline rule (a shortcode) still cuts inside the run the line rules skip
    coded = prose + prose.replace("رقم 50 ", "رقم 50 [vc_row] ") + prose
    assert "[vc_row]" not in clean_mod.clean(coded).text
    assert clean_mod.clean(coded).text.count("رقم") == 300
