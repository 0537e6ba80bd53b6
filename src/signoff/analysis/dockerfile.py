"""Dockerfile / Containerfile: base images, digest pins, piped remote scripts, ADD <URL>.

Instructions are read after joining ``\\`` continuations and dropping comment lines, so a reflowed
or re-commented instruction compares equal. Only instructions new in this change are reported.
"""

from __future__ import annotations

import re

from signoff.analysis._text import PIPE_TO_SHELL, decode, short
from signoff.analysis.base import Analyzer
from signoff.facts import Fact

_FROM = re.compile(r"^FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", re.IGNORECASE)


def instructions(text: str) -> list[tuple[int, str, str]]:
    """(line, INSTRUCTION, arguments) with continuations joined and comments dropped."""
    out: list[tuple[int, str, str]] = []
    buf: list[str] = []
    start = 0
    escape = "\\"
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not buf:
            match = re.match(r"#\s*escape\s*=\s*(\S)", stripped)
            if match and not out:
                escape = match.group(1)
            if not stripped or stripped.startswith("#"):
                continue
            start = number
        elif stripped.startswith("#") or not stripped:
            continue  # comments and blank lines inside a continuation are skipped by Docker
        if stripped.endswith(escape):
            buf.append(stripped[:-1].strip())
            continue
        buf.append(stripped)
        joined = " ".join(buf)
        buf = []
        word, _, rest = joined.partition(" ")
        out.append((start, word.upper(), " ".join(rest.split())))
    if buf:
        joined = " ".join(buf)
        word, _, rest = joined.partition(" ")
        out.append((start, word.upper(), " ".join(rest.split())))
    return out


def _images(instrs: list[tuple[int, str, str]]) -> list[tuple[int, str]]:
    """FROM images that are not earlier build stages (``FROM builder``) or ``scratch``."""
    stages: set[str] = set()
    images = []
    for line, word, args in instrs:
        if word != "FROM":
            continue
        match = _FROM.match(f"FROM {args}")
        if not match:
            continue
        image = match.group(1)
        if image.lower() not in stages and image != "scratch":
            images.append((line, image))
        if match.group(2):
            stages.add(match.group(2).lower())
    return images


def _repo(image: str) -> str:
    """``ghcr.io/org/app:1.2@sha256:…`` → ``ghcr.io/org/app`` (a port's colon is kept)."""
    name = image.split("@", 1)[0]
    head, sep, tag = name.rpartition(":")
    return head if sep and "/" not in tag else name


class DockerfileAnalyzer(Analyzer):
    ident = "dockerfile"
    desc = "Dockerfile base images, digest pins, remote scripts and remote ADD"

    def analyze(self, path: str, old: bytes | None, new: bytes | None) -> list[Fact]:
        old_text, new_text = decode(old, "old"), decode(new, "new")
        if new_text is None:
            return []
        before = instructions(old_text or "")
        after = instructions(new_text)
        facts: list[Fact] = []
        old_images = [image for _, image in _images(before)]
        for line, image in _images(after):
            if image in old_images:
                continue
            replaced = [i for i in old_images if _repo(i) == _repo(image)]
            text = f"base image `{image}`" + (
                f" replaces `{replaced[0]}`" if replaced else " added"
            )
            facts.append(
                self.fact(
                    "base-image-changed",
                    path,
                    text,
                    line=line,
                    image=image,
                    old=replaced[0] if replaced else None,
                )
            )
            if "@sha256:" not in image:
                text = f"base image `{image}` is not pinned to a digest"
                facts.append(self.fact("base-image-unpinned", path, text, line=line, image=image))
        old_instrs = {(word, args) for _, word, args in before}
        for line, word, args in after:
            if (word, args) in old_instrs:
                continue
            if word == "RUN" and PIPE_TO_SHELL.search(args):
                text = f"remote script piped to a shell: `{short(args)}`"
                facts.append(
                    self.fact(
                        "remote-script-piped-to-shell",
                        path,
                        text,
                        line=line,
                        command=short(args, 200),
                    )
                )
            if word == "ADD":
                urls = [a for a in args.split() if re.match(r"^(?:https?|git|ssh)://|^git@", a)]
                for url in urls:
                    text = f"ADD fetches remote `{short(url)}`"
                    facts.append(self.fact("remote-add", path, text, line=line, url=url))
        return facts


#: The analyzers this module provides, for the registry (`signoff.analysis`).
ANALYZERS: tuple[type[Analyzer], ...] = (DockerfileAnalyzer,)
