"""Shared pieces of the API: constrained types, time, ids, and cursor pagination.

Input hygiene lives in the types, so every schema that names an id, an e-mail or a display name
gets the same rules: NFC-normalised; ids `[a-z0-9][a-z0-9._-]{0,63}`; display names and free
text without control, bidi-override or zero-width characters (Unicode categories Cc and Cf).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import secrets
import unicodedata
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from signoff.server.errors import InvalidInputError

ID_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,63}$"
EMAIL_PATTERN = r"^[a-z0-9][a-z0-9._%+-]{0,63}@[a-z0-9][a-z0-9.-]{0,252}$"
SHA_PATTERN = r"^[0-9a-f]{40}([0-9a-f]{24})?$"
DIGEST_PATTERN = r"^sha256:[0-9a-f]{64}$"


def _nfc(value: object) -> object:
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def _clean_text(value: str) -> str:
    if (lone := _surrogate(value)) is not None:
        raise ValueError(f"contains a lone surrogate (U+{ord(lone):04X}): not Unicode text")
    bad = [c for c in value if unicodedata.category(c) in ("Cc", "Cf") and c not in "\n\t"]
    if bad:
        raise ValueError(f"contains a control or invisible character (U+{ord(bad[0]):04X})")
    return value


def _clean_name(value: str) -> str:
    if "\n" in value or "\t" in value:
        raise ValueError("must be one line")
    if value != value.strip():
        raise ValueError("must not start or end with white space")
    return _clean_text(value)


Id = Annotated[str, Field(pattern=ID_PATTERN, min_length=1, max_length=64)]
Email = Annotated[
    str,
    BeforeValidator(lambda v: _nfc(v.lower()) if isinstance(v, str) else v),
    Field(pattern=EMAIL_PATTERN, max_length=254),
]
DisplayName = Annotated[
    str, BeforeValidator(_nfc), Field(min_length=1, max_length=200), AfterValidator(_clean_name)
]
Text = Annotated[str, BeforeValidator(_nfc), Field(max_length=4000), AfterValidator(_clean_text)]


def _iso_date(value: object) -> object:
    """Dates come as `YYYY-MM-DD` strings (strict mode would refuse any string otherwise)."""
    if isinstance(value, str):
        if len(value) != 10:
            raise ValueError("expected a date YYYY-MM-DD")
        return dt.date.fromisoformat(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    raise ValueError("expected a date YYYY-MM-DD")


Date = Annotated[dt.date, BeforeValidator(_iso_date)]
Sha = Annotated[str, Field(pattern=SHA_PATTERN)]
Digest = Annotated[str, Field(pattern=DIGEST_PATTERN)]
PathGlob = Annotated[
    str, BeforeValidator(_nfc), Field(min_length=1, max_length=400), AfterValidator(_clean_name)
]


def _surrogate(value: object) -> str | None:
    """The first lone surrogate in any string of `value` (JSON may escape one: "\\ud800"),
    which no database or canonical encoding can store as text."""
    if isinstance(value, str):
        if value.isascii():
            return None
        return next((c for c in value if "\ud800" <= c <= "\udfff"), None)
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    if isinstance(value, list | tuple):
        for item in value:
            if (bad := _surrogate(item)) is not None:
                return bad
    return None


class Unicode(BaseModel):
    """Refuses lone surrogates anywhere in a model's own strings, lists and dicts (nested
    models check theirs): 422, never a 500 from a database that cannot store them."""

    @model_validator(mode="after")
    def _no_surrogates(self) -> Unicode:
        values = [v for _, v in self if not isinstance(v, BaseModel)]
        if (bad := _surrogate(values)) is not None:
            raise ValueError(f"contains a lone surrogate (U+{ord(bad):04X}): not Unicode text")
        return self


class Model(Unicode):
    """Request models: unknown fields refused, no type coercion ("1" is not 1)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Out(BaseModel):
    """Response models."""

    model_config = ConfigDict(extra="forbid", frozen=True)


T = TypeVar("T")


class Page(Out, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )


DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def stamp(t: dt.datetime | None = None) -> str:
    """RFC 3339 UTC with microseconds: sorts as text, orders quick successive writes."""
    return (t or now()).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_STAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")


def parse_stamp(value: str) -> dt.datetime:
    """A `stamp` back as a time; anything else is a ValueError. Read on every request (expiry
    checks), so the exact shape is matched first and `fromisoformat` (C) does the rest."""
    if not _STAMP.fullmatch(value):
        raise ValueError(f"time data {value!r} does not match format '%Y-%m-%dT%H:%M:%S.%fZ'")
    return dt.datetime.fromisoformat(value)


def new_id(prefix: str) -> str:
    """Unique ids that sort in creation order (to the microsecond): `prefix-<UTC seconds>-`
    then 16 hex digits, the first 5 the microseconds and the other 11 random (44 bits)."""
    t = now()
    return f"{prefix}-{t.strftime('%Y%m%d%H%M%S')}-{t.microsecond:05x}{secrets.token_hex(6)[:11]}"


def encode_cursor(key: list[Any]) -> str:
    raw = json.dumps(key, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, arity: int) -> list[Any] | None:
    """The sort key a cursor names; a cursor the server did not make is a 422."""
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInputError("malformed cursor", field="cursor") from None
    if (
        not isinstance(key, list)
        or len(key) != arity
        or not all(isinstance(k, str | int) and not isinstance(k, bool) for k in key)
    ):
        raise InvalidInputError("malformed cursor", field="cursor")
    return key


def page(rows: list[T], limit: int, key: Any) -> tuple[list[T], str | None]:
    """Trim a query fetched with `limit + 1` rows; the cursor is the last returned row's key."""
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_cursor(key(rows[-1]))
