"""Step 1 of the batch job: what the inputs expand to, through the Hadoop file system.

Folders and globs are expanded on the driver (so ``s3a://``, ``hdfs://`` and local paths all work);
JSONL files are read by lines later, every other file whole; ``sources.json`` sidecars are read here
(they are small). Files the local reader would refuse (too large, empty) are errors already.

>>> _is_jsonl("news.jsonl.gz"), _is_jsonl("page.html"), _hidden("_SUCCESS")
(True, False, True)
>>> local_path("file:///data/news.jsonl"), local_path("s3a://bucket/news.jsonl")
('/data/news.jsonl', 's3a://bucket/news.jsonl')
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

_JSONL_SUFFIXES = (".jsonl", ".ndjson")
_COMPRESSED = (".gz", ".bz2", ".zst", ".lz4", ".deflate", ".snappy")


@dataclass
class Listing:
    """What the inputs expand to: JSONL files (read by lines), other files (read whole), sidecars, errors."""

    jsonl: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    sidecars: dict[str, dict[str, Any]] = field(default_factory=dict)  # folder URI → sources.json content
    errors: list[tuple[str, str]] = field(default_factory=list)
    # file URI → its place in the order ``ingest`` reads the same inputs (inputs in turn, a folder's
    # files as its sorted walk meets them): the batch job clusters in that order
    ranks: dict[str, int] = field(default_factory=dict)


def _is_jsonl(name: str) -> bool:
    lower = name.lower()
    for ext in _COMPRESSED:
        lower = lower.removesuffix(ext)
    return lower.endswith(_JSONL_SUFFIXES)


def _hidden(name: str) -> bool:
    # Hadoop's convention (_SUCCESS, _temporary) as well as dot-files
    return name.startswith((".", "_"))


def list_inputs(spark: SparkSession, inputs: Iterable[str]) -> Listing:
    """Expand files, folders (recursive) and glob patterns through the Hadoop file system."""
    from khabar.read.formats import MAX_BYTES, SIDECAR, _kind_by_name

    sc = spark.sparkContext
    jvm = sc._jvm
    conf = sc._jsc.hadoopConfiguration()
    out = Listing()
    seen: set[str] = set()
    folders: set[str] = set()

    def add(status: Any) -> None:
        path = status.getPath()
        name = path.getName()
        uri = path.toString()
        folders.add(path.getParent().toString())
        if _hidden(name) or name == SIDECAR or uri in seen:
            return
        seen.add(uri)
        out.ranks[local_path(uri)] = len(out.ranks)  # file:/x and file:///x are one file
        if _is_jsonl(name):
            out.jsonl.append(uri)
            return
        kind = _kind_by_name(name)
        size = status.getLen()
        if kind in ("text", "html") and size > MAX_BYTES:
            # the same reason the local reader gives, without shipping the file to an executor first
            out.errors.append(
                (
                    local_path(uri),
                    f"file too large ({size / 1024 / 1024:.1f} MB > {MAX_BYTES // 1024 // 1024} MB)",
                )
            )
        elif size == 0:
            out.errors.append((local_path(uri), "empty file"))
        else:
            out.files.append(uri)

    for item in inputs:
        item = str(item)
        hpath = jvm.org.apache.hadoop.fs.Path(item)
        try:
            fs = hpath.getFileSystem(conf)
            matches = fs.globStatus(hpath)
        except Exception as e:  # noqa: BLE001 - an unknown scheme, missing credentials…
            out.errors.append((item, f"cannot list: {_java_message(e)}"))
            continue
        if not matches:
            glob = any(c in item for c in "*?[{")
            out.errors.append((item, "no files match this pattern" if glob else "no such file or directory"))
            continue
        for status in sorted(matches, key=lambda st: st.getPath().toString()):
            if status.isDirectory():
                it = fs.listFiles(status.getPath(), True)
                found = []
                while it.hasNext():
                    f = it.next()
                    # skip anything under a hidden folder, as the local reader does
                    rel = [p for p in f.getPath().toString()[len(status.getPath().toString()) :].split("/") if p]
                    if any(_hidden(p) for p in rel[:-1]):
                        continue
                    found.append((_walk_key(rel), f))
                # the local reader's walk: a folder's files (sorted) before its sub-folders (sorted)
                for _, f in sorted(found, key=lambda kf: kf[0]):
                    add(f)
            else:
                add(status)
    for folder in sorted(folders):
        _load_sidecar(spark, folder, out)
    out.jsonl.sort()
    out.files.sort()
    return out


def _walk_key(parts: list[str]) -> tuple[tuple[str, ...], str]:
    """Where a file (its path parts under the walked folder) comes in a sorted top-down walk.

    >>> sorted([["b", "x.txt"], ["z.txt"], ["a", "c", "y.txt"], ["a", "w.txt"]], key=_walk_key)
    [['z.txt'], ['a', 'w.txt'], ['a', 'c', 'y.txt'], ['b', 'x.txt']]
    """
    return tuple(parts[:-1]), parts[-1]


def _load_sidecar(spark: SparkSession, folder: str, out: Listing) -> None:
    from khabar.read.decode import decode
    from khabar.read.formats import SIDECAR

    sc = spark.sparkContext
    jvm = sc._jvm
    path = jvm.org.apache.hadoop.fs.Path(folder + "/" + SIDECAR)
    try:
        fs = path.getFileSystem(sc._jsc.hadoopConfiguration())
        if not fs.exists(path):
            return
        stream = fs.open(path)
        data = bytes(jvm.org.apache.commons.io.IOUtils.toByteArray(stream))
        stream.close()
        content = json.loads(decode(data, local_path(path.toString())))
    except Exception as e:  # noqa: BLE001 - unreadable or malformed: reported like the local reader does
        out.errors.append((local_path(folder + "/" + SIDECAR), f"malformed {SIDECAR}: {_java_message(e)}"))
        return
    if isinstance(content, dict):
        out.sidecars[folder] = content
    else:
        out.errors.append(
            (local_path(folder + "/" + SIDECAR), f"malformed {SIDECAR}: not an object of file names")
        )


def _java_message(e: Exception) -> str:
    msg = str(e)
    # py4j errors carry the whole Java stack trace; its first line is the message
    for line in msg.splitlines():
        if "Exception" in line and ":" in line:
            return line.split(":", 1)[1].strip()[:300]
    return msg.splitlines()[0][:300] if msg else type(e).__name__


def local_path(uri: str) -> str:
    """A ``file:`` URI as the plain path ``ingest`` would print; other URIs unchanged."""
    if uri.startswith("file://"):
        return uri[len("file://") :]
    if uri.startswith("file:"):
        return uri[len("file:") :]
    return uri
