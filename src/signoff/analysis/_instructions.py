"""Instructions to users in release notes: a remote script piped to a shell, a new download host.

Release notes ride an auto lane because they are prose, but prose that tells users to run
`curl https://... | sh`, or where to download the release from, moves trust as surely as code.
Pure regex over the lines a change adds; a host is new when the old file never named it.
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import urlsplit

_FETCH = r"(?:curl|wget|fetch|iwr|irm|invoke-webrequest|invoke-restmethod|http|xh)\b"
_SHELL = (
    r"(?:sudo\s+(?:-\S+\s+)*)?(?:env\s+\S+=\S*\s+)*"
    r"(?:sh|bash|zsh|dash|ksh|fish|python[0-9.]*|perl|ruby|node|iex|invoke-expression|pwsh"
    r"|powershell)\b"
)
#: `curl URL | sh`, `sh -c "$(curl URL)"`, `bash <(wget -O- URL)`, `iwr URL | iex`
_PIPED = re.compile(
    rf"\b{_FETCH}[^|\n]*\|\s*{_SHELL}"
    rf"|\b{_SHELL}[^\n]*(?:\$\(|<\(|`)\s*{_FETCH}"
    rf"|\biex\b[^\n]*\(\s*{_FETCH}",
    re.IGNORECASE,
)
_URL = re.compile(r"\b(?:https?|ftp)://[^\s<>()\"'`\]]+", re.IGNORECASE)
_DOWNLOAD_EXT = re.compile(
    r"\.(?:sh|bash|ps1|bat|cmd|exe|msi|dmg|pkg|deb|rpm|apk|appimage|run|bin|jar|whl|gem|"
    r"tar\.gz|tgz|tar\.xz|txz|tar\.bz2|zip|7z|py)$",
    re.IGNORECASE,
)
_DOWNLOAD_WORD = re.compile(r"\b(?:download|install|installer|get it|binar(?:y|ies))\b", re.I)


class Instruction(NamedTuple):
    kind: str  # "pipe" or "host"
    line: int
    text: str  # the command, or the host


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def instructions(old: str | None, added: list[tuple[int, str]]) -> list[Instruction]:
    """What the added lines tell users to run or download, that the old text did not."""
    known = {_host(u) for u in _URL.findall(old or "")}
    out: list[Instruction] = []
    for n, line in added:
        m = _PIPED.search(line)
        if m is not None:
            out.append(Instruction("pipe", n, m.group(0).strip()[:160]))
        for url in _URL.findall(line):
            host = _host(url.rstrip(".,;:"))
            path = urlsplit(url.rstrip(".,;:")).path if host else ""
            download = _DOWNLOAD_EXT.search(path) or _DOWNLOAD_WORD.search(line) or m
            if host and host not in known and download:
                known.add(host)
                out.append(Instruction("host", n, host))
    return out
