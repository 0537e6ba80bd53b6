"""Typed reads from a located YAML document, each failure naming file, line, column and field.

Unknown keys are errors (a misspelt key must never silently turn a rule off), with a
did-you-mean suggestion.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Collection, Sequence
from typing import Any

from signoff.config.yamlsrc import Located, Path_
from signoff.errors import ConfigError

_MISSING = object()


class Fields:
    """Reads values out of one `Located` document."""

    def __init__(self, doc: Located) -> None:
        self.doc = doc

    def get(self, path: Path_) -> Any:
        value: Any = self.doc.data
        for part in path:
            if isinstance(part, int):
                value = value[part]
            else:
                if not isinstance(value, dict) or part not in value:
                    return _MISSING
                value = value[part]
        return value

    def error(self, path: Path_, message: str, hint: str | None = None) -> ConfigError:
        return self.doc.error(path, message, hint)

    def mapping(
        self, path: Path_, allowed: Collection[str] | None, required: Sequence[str] = ()
    ) -> dict[str, Any]:
        """A mapping at `path`; `allowed=None` accepts any string key (user-named entries)."""
        value = self.get(path)
        if value is _MISSING or value is None:
            value = {}
        if not isinstance(value, dict):
            raise self.error(path, f"expected a mapping, got {_kind(value)}")
        for key in value:
            if allowed is not None and key not in allowed:
                close = difflib.get_close_matches(key, list(allowed), n=1)
                hint = f"did you mean {close[0]!r}?" if close else f"allowed: {', '.join(allowed)}"
                raise self.error((*path, key), f"unknown key {key!r}", hint)
        for key in required:
            if key not in value:
                raise self.error(path, f"missing required key {key!r}")
        return value

    def items(self, path: Path_) -> list[Any]:
        value = self.get(path)
        if value is _MISSING or value is None:
            return []
        if not isinstance(value, list):
            raise self.error(path, f"expected a list, got {_kind(value)}")
        return value

    def string(
        self,
        path: Path_,
        default: str | None = None,
        *,
        choices: Collection[str] | None = None,
        required: bool = False,
    ) -> str:
        value = self.get(path)
        if value is _MISSING or value is None:
            if required or default is None:
                raise self.error(path, "missing required value")
            return default
        if not isinstance(value, str) or not value.strip():
            raise self.error(path, f"expected a non-empty string, got {_kind(value)}")
        if choices is not None and value not in choices:
            close = difflib.get_close_matches(value, list(choices), n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"one of: {', '.join(choices)}"
            raise self.error(path, f"{value!r} is not allowed", hint)
        return value

    def optional_string(self, path: Path_) -> str | None:
        value = self.get(path)
        if value is _MISSING or value is None:
            return None
        return self.string(path)

    def integer(self, path: Path_, default: int, *, minimum: int = 0) -> int:
        value = self.get(path)
        if value is _MISSING or value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(path, f"expected an integer, got {_kind(value)}")
        if value < minimum:
            raise self.error(path, f"must be at least {minimum}")
        return value

    def boolean(self, path: Path_, default: bool) -> bool:
        value = self.get(path)
        if value is _MISSING or value is None:
            return default
        if not isinstance(value, bool):
            raise self.error(path, f"expected true or false, got {_kind(value)}")
        return value

    def strings(self, path: Path_, *, choices: Collection[str] | None = None) -> tuple[str, ...]:
        value = self.get(path)
        if value is _MISSING or value is None:
            return ()
        if isinstance(value, str):  # one entry written without a list
            return (self.string(path, choices=choices, required=True),)
        if not isinstance(value, list):
            raise self.error(path, f"expected a list of strings, got {_kind(value)}")
        out = []
        for i, _ in enumerate(value):
            out.append(self.string((*path, i), choices=choices, required=True))
        return tuple(out)

    def date(self, path: Path_) -> dt.date | None:
        value = self.get(path)
        if value is _MISSING or value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise self.error(path, f"expected a date (YYYY-MM-DD), got {value!r}")


def _kind(value: Any) -> str:
    if value is _MISSING or value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )
