"""The options field of an allowed-signers line, as OpenSSH's sshsig.c reads it.

    principals [cert-authority,][namespaces="p1,p2",][valid-after="T",][valid-before="T"] key

Times are `YYYYMMDD[HHMM[SS]]`, in UTC with a `Z` (or `UTC`) suffix and in the machine's local
time otherwise, exactly as ssh-keygen reads them. Unknown options, duplicates and a
`valid-before` not after `valid-after` are refused (ssh-keygen refuses those lines too). Pure and
free of cryptography, so reading the humans' file stays cheap.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import NamedTuple

_VALUED = ("namespaces", "valid-after", "valid-before")


class SignerOptions(NamedTuple):
    cert_authority: bool = False
    #: comma-separated namespace patterns (`*`, `?`, `!` negation), None: any namespace
    namespaces: str | None = None
    valid_after: datetime | None = None
    valid_before: datetime | None = None


def split_options(rest: str, key_types: frozenset[str]) -> tuple[str, str]:
    """(options, remainder) of a line after its principals: options end at unquoted space."""
    rest = rest.lstrip()
    first = rest.split(None, 1)[0] if rest else ""
    if first in key_types:
        return "", rest
    quoted = False
    for i, ch in enumerate(rest):
        if ch == '"' and (i == 0 or rest[i - 1] != "\\"):
            quoted = not quoted
        elif ch in " \t" and not quoted:
            return rest[:i], rest[i:].lstrip()
    return rest, ""


def parse_options(text: str) -> SignerOptions:
    """Parse the options field; `ValueError` names what is wrong."""
    found: dict[str, object] = {}
    pos = 0
    while pos < len(text):
        name_end = pos
        while name_end < len(text) and text[name_end] not in '=,"':
            name_end += 1
        name = text[pos:name_end].lower()
        if name == "cert-authority" and (name_end == len(text) or text[name_end] == ","):
            value: object = True
            pos = name_end
        elif (
            name in ("namespaces", "valid-after", "valid-before")
            and text[name_end : name_end + 2] == '="'
        ):
            raw, pos = _dequote(text, name_end + 1)
            value = raw if name == "namespaces" else _time(raw, name)
        else:
            raise ValueError(f"unknown option {text[pos:name_end] or text[pos:]!r}")
        if name in found:
            raise ValueError(f"option {name} given twice")
        found[name] = value
        if pos < len(text):
            if text[pos] != "," or pos + 1 == len(text):
                raise ValueError("options must be separated by single commas")
            pos += 1
    opts = SignerOptions(
        cert_authority=bool(found.get("cert-authority", False)),
        namespaces=_str(found.get("namespaces")),
        valid_after=_dt(found.get("valid-after")),
        valid_before=_dt(found.get("valid-before")),
    )
    if opts.valid_after and opts.valid_before and opts.valid_before <= opts.valid_after:
        raise ValueError("valid-before is not after valid-after")
    return opts


def match_pattern_list(name: str, patterns: str) -> bool:
    """OpenSSH's match_pattern_list: any pattern matches and no `!pattern` does."""
    matched = False
    for pattern in patterns.split(","):
        negated = pattern.startswith("!")
        if _glob(name, pattern[1:] if negated else pattern):
            if negated:
                return False
            matched = True
    return matched


def _glob(name: str, pattern: str) -> bool:
    """`*` and `?` only (no character classes), like OpenSSH's match_pattern."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, name, re.DOTALL) is not None


def _dequote(text: str, pos: int) -> tuple[str, int]:
    out = []
    pos += 1  # opening quote
    while pos < len(text) and text[pos] != '"':
        if text[pos] == "\\" and text[pos + 1 : pos + 2] == '"':
            pos += 1
        out.append(text[pos])
        pos += 1
    if pos >= len(text):
        raise ValueError("missing closing quote")
    return "".join(out), pos + 1


_FORMATS = {8: "%Y%m%d", 12: "%Y%m%d%H%M", 14: "%Y%m%d%H%M%S"}


def _time(raw: str, name: str) -> datetime:
    utc = raw.upper().endswith(("Z", "UTC"))
    digits = raw[: -1 if raw.upper().endswith("Z") else -3] if utc else raw
    fmt = _FORMATS.get(len(digits))
    if fmt is None or not digits.isdigit():
        raise ValueError(f"{name} is not YYYYMMDD[HHMM[SS]][Z]: {raw!r}")
    try:
        naive = datetime.strptime(digits, fmt)
    except ValueError:
        raise ValueError(f"{name} is not a valid time: {raw!r}") from None
    return naive.replace(tzinfo=UTC) if utc else naive.astimezone()


def _str(v: object) -> str | None:
    return v if isinstance(v, str) else None


def _dt(v: object) -> datetime | None:
    return v if isinstance(v, datetime) else None
