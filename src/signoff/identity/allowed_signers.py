"""Who may sign: git's allowed-signers format (ssh-keygen(1) ALLOWED SIGNERS), evaluated in-process.

`AllowedSigners.principals_for(key, namespace, at)` answers what `ssh-keygen -Y find-principals`
answers, at a time the caller chooses (the time of the work, not necessarily now):

- a line counts when its key is exactly the signing key (security keys: the same application
  too), its `namespaces=` patterns admit the namespace, and `at` lies within
  `valid-after`/`valid-before` (bounds inclusive, as OpenSSH compares them);
- `cert-authority` lines never match a plain key, and SSH certificates are refused by the
  signature parser (`signoff.identity.sshalgs`): certificate signing is not supported;
- principals come back as written; wildcard principals are not expanded, so a caller that
  compares names exactly never lets a pattern stand for a person.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from signoff.errors import ConfigError
from signoff.identity.signer_options import (
    SignerOptions,
    match_pattern_list,
    parse_options,
    split_options,
)
from signoff.identity.sshalgs import SshPublicKey, SshSigError, parse_public_key
from signoff.identity.sshkeys import KEY_TYPES


class AllowedSigner(NamedTuple):
    principals: tuple[str, ...]
    key: SshPublicKey
    options: SignerOptions
    line: int

    def admits(self, namespace: str, at: datetime) -> bool:
        """This line's options allow a signature in `namespace` made at `at`."""
        opts = self.options
        if opts.cert_authority:
            return False
        if opts.namespaces is not None and not match_pattern_list(namespace, opts.namespaces):
            return False
        if opts.valid_after is not None and at < opts.valid_after:
            return False
        return not (opts.valid_before is not None and at > opts.valid_before)


class AllowedSigners:
    """An allowed-signers file, parsed once; lines are looked up by key blob.

    A line that cannot be read (unknown option, bad time, malformed key) authorizes nobody, as
    in ssh-keygen, and is listed in `problems` so a refusal can say why; `strict=True` makes it
    a `ConfigError` instead."""

    def __init__(
        self, entries: Iterable[AllowedSigner], problems: Iterable[LineProblem] = ()
    ) -> None:
        self.entries = tuple(entries)
        self.problems = tuple(problems)
        self._by_blob: dict[bytes, list[AllowedSigner]] = {}
        for entry in self.entries:
            self._by_blob.setdefault(entry.key.blob, []).append(entry)

    @classmethod
    def parse(
        cls, text: str | bytes, file: str = "allowed_signers", *, strict: bool = False
    ) -> AllowedSigners:
        """Parse every line; see the class docstring for unreadable lines."""
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        entries, problems = [], []
        for n, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            try:
                entries.append(_parse_line(line, file, n))
            except ConfigError as exc:
                if strict:
                    raise
                problems.append(LineProblem(n, exc.message, _key_of(line)))
        return cls(entries, problems)

    def principals_for(self, key: SshPublicKey, namespace: str, at: datetime) -> tuple[str, ...]:
        """Principals allowed to sign with `key` in `namespace` at `at` (aware datetime)."""
        if at.tzinfo is None:
            raise ValueError("principals_for needs a timezone-aware time")
        found: dict[str, None] = {}
        for entry in self._by_blob.get(key.blob, ()):
            if entry.admits(namespace, at):
                found.update(dict.fromkeys(entry.principals))
        return tuple(found)

    def lines_for(self, key: SshPublicKey) -> tuple[AllowedSigner, ...]:
        """Every readable line naming `key`, whatever its options (to explain a refusal)."""
        return tuple(self._by_blob.get(key.blob, ()))

    def problems_for(self, key: SshPublicKey) -> tuple[LineProblem, ...]:
        """Unreadable lines that seem to name `key` (why it is not allowed)."""
        return tuple(p for p in self.problems if p.key_blob == key.blob)


class LineProblem(NamedTuple):
    line: int
    message: str
    key_blob: bytes | None  # the key the line seems to name, when one can be read


def _parse_line(line: str, file: str, n: int) -> AllowedSigner:
    parts = line.split(None, 1)
    if len(parts) < 2:
        raise ConfigError("expected `principals [options] key-type key`", file=file, line=n)
    principals = tuple(p for p in parts[0].split(",") if p)
    options_text, rest = split_options(parts[1], KEY_TYPES)
    try:
        options = parse_options(options_text)
    except ValueError as exc:
        raise ConfigError(str(exc), file=file, line=n, field="options") from None
    fields = rest.split()
    if not principals or len(fields) < 2:
        raise ConfigError("expected `principals [options] key-type key`", file=file, line=n)
    try:
        blob = base64.b64decode(fields[1], validate=True)
        key = parse_public_key(blob)
    except (binascii.Error, SshSigError) as exc:
        msg = f"not a valid SSH public key ({exc})"
        raise ConfigError(msg, file=file, line=n, field="key") from None
    if key.key_type != fields[0]:
        raise ConfigError(
            f"key says {key.key_type}, line says {fields[0]}", file=file, line=n, field="key"
        )
    return AllowedSigner(principals, key, options, n)


def _key_of(line: str) -> bytes | None:
    """The blob after the first known key type on a line, if it decodes."""
    words = line.split()
    for i, word in enumerate(words[:-1]):
        if word in KEY_TYPES:
            try:
                return base64.b64decode(words[i + 1], validate=True)
            except binascii.Error:
                return None
    return None
