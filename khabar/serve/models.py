"""The request bodies the API accepts, and validation errors put into words.

>>> CompareIn.model_validate({"a": "abc123", "b": {"text": "نص"}}).b.text
'نص'
>>> story_number("12"), story_number("nonsense")
(12, None)
>>> story_number(str(2**63))
Traceback (most recent call last):
...
fastapi.exceptions.HTTPException: 422: story ids are whole numbers up to 2^63 - 1, got '9223372036854775808'
>>> validation_message([{"loc": ("body", "url"), "msg": "Field required", "type": "missing"}])
'url: Field required'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import HTTPException
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from khabar.serve.format import when
from khabar.store.params import SQL_INT_MAX, whole_number

#: The largest integer SQLite stores (a signed 64-bit one): offsets and ids above it are refused
#: with a 4xx rather than overflowing in the driver.
MAX_INT = SQL_INT_MAX  # offsets and ids past this cannot be bound in SQLite


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
        if v is not None and when(v) is None:
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


def validation_message(errors: Iterable[dict[str, Any]]) -> str:
    """Pydantic's errors as one line that says what is wrong where (``loc: msg; …``)."""
    parts = []
    for e in errors:
        loc = ".".join(str(x) for x in e.get("loc", ()) if x not in ("body",)) or "body"
        msg = e.get("msg", "invalid")
        if e.get("type") == "json_invalid":
            msg = f"malformed JSON ({(e.get('ctx') or {}).get('error', 'decode error')})"
        parts.append(f"{loc}: {msg}")
    return "; ".join(parts) or "invalid request"


def jsonable_errors(errors: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pydantic's errors reduced to what JSON can carry (``loc``, ``msg``, ``type``)."""
    return [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type")} for e in errors]


def story_number(value: str) -> int | None:
    """A story id from a URL: the number, ``None`` when it is not one (no such story), a 422 when it
    is a number SQLite cannot hold."""
    try:
        return whole_number(value)
    except ValueError as e:
        raise HTTPException(422, f"story {e}") from e
