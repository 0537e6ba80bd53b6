"""Built-in catalogue of known AI agents and automation bots.

Everything here is *asserted* evidence: author and committer fields, trailers and message text are
written by whoever made the commit, so a match can only raise scrutiny, never prove innocence.
Patterns are matched case-insensitively against lower-cased text.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from signoff.taxonomy import Kind


class Known(NamedTuple):
    id: str
    name: str
    kind: Kind
    #: exact author/committer e-mails (lower case)
    emails: tuple[str, ...] = ()
    #: regular expressions over "name <email>" (lower case), anchored by the author of the entry
    identities: tuple[str, ...] = ()
    #: regular expressions over one trailer line "key: value" (lower case)
    trailers: tuple[str, ...] = ()
    #: regular expressions over the whole message (lower case)
    markers: tuple[str, ...] = ()


def _bot(login: str) -> str:
    """A GitHub App bot's noreply identity, e.g. `123+dependabot[bot]@users.noreply.github.com`."""
    return rf"<(\d+\+)?{re.escape(login)}\[bot\]@users\.noreply\.github\.com>$"


_CO = r"^co-authored-by: "

CATALOGUE: tuple[Known, ...] = (
    Known(
        "github-copilot",
        "GitHub Copilot coding agent",
        Kind.AI_AGENT,
        emails=("198982749+copilot@users.noreply.github.com",),
        identities=(_bot("copilot-swe-agent"), _bot("copilot"), r"^copilot <"),
        trailers=(_CO + r"copilot\b",),
    ),
    Known(
        "claude-code",
        "Claude Code",
        Kind.AI_AGENT,
        emails=("noreply@anthropic.com",),
        identities=(_bot("claude"), r"^claude <"),
        trailers=(_CO + r"claude\b", _CO + r".*<noreply@anthropic\.com>"),
        markers=(r"generated with \[?claude code", r"claude\.(ai|com)/(claude-)?code"),
    ),
    Known(
        "openai-codex",
        "OpenAI Codex",
        Kind.AI_AGENT,
        identities=(_bot("chatgpt-codex-connector"), _bot("codex"), r"^codex <"),
        trailers=(_CO + r"(openai )?codex\b",),
        markers=(r"generated (with|by) (openai )?codex",),
    ),
    Known(
        "cursor",
        "Cursor agent",
        Kind.AI_AGENT,
        emails=("cursoragent@cursor.com",),
        identities=(_bot("cursor"), r"^cursor agent <"),
        trailers=(_CO + r"cursor( agent)?\b",),
        markers=(r"generated (with|by) cursor",),
    ),
    Known(
        "devin",
        "Devin",
        Kind.AI_AGENT,
        emails=("devin-ai-integration[bot]@users.noreply.github.com",),
        identities=(_bot("devin-ai-integration"), r"^devin( ai)? <"),
        trailers=(_CO + r"devin\b",),
    ),
    Known(
        "gemini",
        "Google Gemini / Jules",
        Kind.AI_AGENT,
        identities=(_bot("gemini-code-assist"), _bot("google-labs-jules"), r"^(gemini|jules) <"),
        trailers=(_CO + r"(gemini|jules)\b",),
        markers=(r"generated (with|by) gemini",),
    ),
    Known(
        "aider",
        "aider",
        Kind.AI_AGENT,
        identities=(r"\(aider\) <",),
        trailers=(_CO + r"aider\b", _CO + r".*<noreply@aider\.chat>"),
        markers=(r"^aider: ",),
    ),
    Known(
        "amazon-q",
        "Amazon Q Developer",
        Kind.AI_AGENT,
        identities=(_bot("amazon-q-developer"), r"^amazon q( developer)? <"),
        trailers=(_CO + r"amazon q\b",),
    ),
    Known(
        "openhands",
        "OpenHands",
        Kind.AI_AGENT,
        emails=("openhands@all-hands.dev",),
        identities=(_bot("openhands-agent"), r"^openhands <"),
        trailers=(_CO + r"openhands\b",),
    ),
    Known(
        "windsurf",
        "Windsurf / Codeium",
        Kind.AI_AGENT,
        identities=(_bot("windsurf"), r"^(windsurf|codeium|cascade) <"),
        trailers=(_CO + r"(windsurf|codeium|cascade)\b",),
    ),
    Known(
        "sweep",
        "Sweep",
        Kind.AI_AGENT,
        identities=(_bot("sweep-ai"),),
        trailers=(_CO + r"sweep\b",),
    ),
    Known(
        "generic-ai-trailer",
        "AI assistant (generic trailer)",
        Kind.AI_AGENT,
        trailers=(r"^(assisted-by|generated-by|ai-assisted|x-ai-agent|made-with): .+",),
    ),
    Known(
        "dependabot",
        "Dependabot",
        Kind.BOT,
        emails=("49699333+dependabot[bot]@users.noreply.github.com", "support@dependabot.com"),
        identities=(_bot("dependabot"), _bot("dependabot-preview")),
    ),
    Known(
        "renovate",
        "Renovate",
        Kind.BOT,
        emails=("29139614+renovate[bot]@users.noreply.github.com", "bot@renovateapp.com"),
        identities=(_bot("renovate"), r"^renovate bot <"),
    ),
    Known(
        "github-actions",
        "GitHub Actions",
        Kind.BOT,
        emails=("41898282+github-actions[bot]@users.noreply.github.com",),
        identities=(_bot("github-actions"),),
    ),
    Known(
        "github-app-bot",
        "GitHub App bot (unidentified)",
        Kind.BOT,
        identities=(r"\[bot\]@users\.noreply\.github\.com>$",),
    ),
)

CATALOGUE_IDS = frozenset(k.id for k in CATALOGUE)


class _Compiled(NamedTuple):
    known: Known
    identities: tuple[re.Pattern[str], ...]
    trailers: tuple[re.Pattern[str], ...]
    markers: tuple[re.Pattern[str], ...]


_COMPILED = tuple(
    _Compiled(
        k,
        tuple(re.compile(p) for p in k.identities),
        tuple(re.compile(p) for p in k.trailers),
        tuple(re.compile(p, re.MULTILINE) for p in k.markers),
    )
    for k in CATALOGUE
)

#: Catch-all: a specific entry that matched makes this one redundant.
_FALLBACKS = frozenset({"github-app-bot", "generic-ai-trailer"})


def match_identity(name: str, email: str) -> list[Known]:
    """Catalogue entries an author or committer identity matches."""
    email_l = email.lower()
    ident = f"{name.lower()} <{email_l}>"
    found = [
        c.known
        for c in _COMPILED
        if email_l in c.known.emails or any(p.search(ident) for p in c.identities)
    ]
    return _drop_fallbacks(found)


def match_trailer(line: str) -> list[Known]:
    low = line.lower()
    return _drop_fallbacks([c.known for c in _COMPILED if any(p.search(low) for p in c.trailers)])


_ANY_MARKER = re.compile("|".join(f"(?:{p})" for k in CATALOGUE for p in k.markers), re.MULTILINE)


def match_message(message: str) -> list[Known]:
    low = message.lower()
    if not _ANY_MARKER.search(low):  # one scan for the common case: no marker at all
        return []
    return [c.known for c in _COMPILED if any(p.search(low) for p in c.markers)]


def _drop_fallbacks(found: list[Known]) -> list[Known]:
    if any(k.id not in _FALLBACKS for k in found):
        return [k for k in found if k.id not in _FALLBACKS]
    return found
