"""git's allowed-signers format: who may sign, read from the protected base ref.

`build_signers` writes one combined file (for `gpg.ssh.allowedSignersFile`): the humans' lines
from `.signoff/allowed_signers` plus one `agent:<id>` line per key registered to an agent, so a
signature by an agent key can never be read as a human's.

The gate's `git log` starts before the registry is read, so it gets only the humans' lines
(`humans_text`). A signature by an agent key then verifies with git's status ``U`` (good, key
not listed) and the key's fingerprint, and attribution looks the fingerprint up among the agents'
keys first, whatever the status: the same answer the combined file gives.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from signoff.errors import ConfigError
from signoff.identity.signer_options import split_options
from signoff.identity.sshkeys import KEY_TYPES, parse_ssh_key, ssh_fingerprint

if TYPE_CHECKING:
    from signoff.identity.agents import Registry

AGENT_PRINCIPAL = "agent:"
"""The principal prefix of agent keys in the combined file; never allowed in the humans' file."""


@dataclass(frozen=True, slots=True)
class Signers:
    """Keys registered on the base ref: which signature principals are humans or agents."""

    humans: frozenset[str] = frozenset()
    #: key fingerprint (SHA256:... or gpg hex) -> agent id
    agent_keys: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True)
class SignerEntry:
    principals: tuple[str, ...]
    options: str
    key_type: str
    key: str  # "type base64"
    line: int

    @property
    def fingerprint(self) -> str:
        return ssh_fingerprint(self.key) or ""


def parse_allowed_signers(text: bytes, file: str) -> list[SignerEntry]:
    """Parse `principals [options] keytype base64 [comment]` lines; refuse malformed ones."""
    out: list[SignerEntry] = []
    for n, raw in enumerate(text.decode("utf-8", "replace").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 1)
        if len(parts) < 2:
            raise ConfigError("expected `principals [options] key-type key`", file=file, line=n)
        principals = tuple(p.lower() for p in parts[0].split(",") if p)
        options, rest = split_options(parts[1], KEY_TYPES)  # checked where keys are evaluated
        key = " ".join(rest.split()[:2])
        parsed = parse_ssh_key(key)
        if parsed is None or not principals:
            raise ConfigError("not a valid SSH public key", file=file, line=n, field="key")
        if any(p.startswith(AGENT_PRINCIPAL) for p in principals):
            raise ConfigError(
                "principals starting with `agent:` are reserved for registered agents",
                file=file,
                line=n,
                field="principals",
            )
        out.append(SignerEntry(principals, options, parsed[0], key, n))
    return out


def build_signers(humans: list[SignerEntry], registry: Registry) -> tuple[Signers, str, str]:
    """(who is who, combined allowed-signers text for git, its digest)."""
    import hashlib  # not at the top: the gate's git log starts before this is needed

    agent_keys: dict[str, str] = {}
    lines: list[str] = []
    for agent in registry.agents:
        for key in agent.match.signing_keys:
            fp = ssh_fingerprint(key)
            if fp:
                agent_keys[fp] = agent.id
                lines.append(f"{AGENT_PRINCIPAL}{agent.id} {key}")
    # a key registered to an agent never speaks for a human
    humans = [entry for entry in humans if entry.fingerprint not in agent_keys]
    human_principals = {p for entry in humans for p in entry.principals}
    text = "".join(line + "\n" for line in lines) + humans_text(humans) or "\n"
    digest = hashlib.sha256(text.encode()).hexdigest()
    return Signers(frozenset(human_principals), agent_keys), text, digest


def humans_text(humans: list[SignerEntry]) -> str:
    """The humans' lines alone, as git reads them."""
    lines = []
    for entry in humans:
        opts = f" {entry.options}" if entry.options else ""
        lines.append(f"{','.join(entry.principals)}{opts} {entry.key}\n")
    return "".join(lines)
