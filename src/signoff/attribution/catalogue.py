"""Built-in catalogue of known AI agents and automation bots.

Everything here is *asserted* evidence: author and committer fields, trailers and message text are
written by whoever made the commit, so a match can only raise scrutiny, never prove innocence.
Patterns are matched case-insensitively against lower-cased text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from signoff.taxonomy import Kind


@dataclass(frozen=True, slots=True)
class Known:
    id: str
    name: str
    kind: Kind
    #: exact author/committer e-mails (lower case)
    emails: tuple[str, ...] = ()
    #: regular expressions over "name <email>" (lower case), anchored by the author of the entry
    identities: tuple[str, ...] = ()
    #: regular expressions over one trailer line "key: value" (lower case)
    trailers: tuple[str, ...] = ()
    #: regular expressions a whole footer (the subject, or a short paragraph of its own) must
    #: match, lower case: what the tool writes at the end of its messages. Never searched in
    #: prose: a URL or a name inside a sentence is not authorship.
    footers: tuple[str, ...] = ()
    #: names the tool gives itself (lower case): a self-declaration found by principle
    #: (`signoff.attribution.principles`) that names one of these is this entry
    aliases: tuple[str, ...] = ()
    #: mail domains of the tool's vendor: a tool mailbox there (`noreply@`, `codex@`) is this entry
    domains: tuple[str, ...] = ()


def _bot(login: str) -> str:
    """A GitHub App bot's noreply identity, e.g. `123+dependabot[bot]@users.noreply.github.com`."""
    return rf"<(\d+\+)?{re.escape(login)}\[bot\]@users\.noreply\.github\.com>$"


_CO = r"^co-authored-by: "
#: A link as Markdown writes it, `[text](url)`, or nothing.
_LINK = r"(?:\]?\(https?://[^)\s]*\))?"

CATALOGUE: tuple[Known, ...] = (
    Known(
        "github-copilot",
        "GitHub Copilot coding agent",
        Kind.AI_AGENT,
        emails=("198982749+copilot@users.noreply.github.com",),
        identities=(_bot("copilot-swe-agent"), _bot("copilot"), r"^copilot <"),
        trailers=(
            _CO + r"copilot\b[^<]*<[^>]*\b(copilot|github-advanced-security\[bot\])@",
            _CO + r"copilot-swe-agent\[bot\]",
            r"^copilot-session: ",
            r"^agent-logs-url: https://github\.com/[^/\s]+/[^/\s]+/sessions/",
        ),
        aliases=("copilot", "github copilot", "copilot coding agent", "copilot autofix"),
    ),
    Known(
        "claude-code",
        "Claude Code",
        Kind.AI_AGENT,
        emails=("noreply@anthropic.com",),
        identities=(_bot("claude"),),
        trailers=(
            _CO + r"claude\[bot\]",
            _CO + r"[^<]*<(noreply|claude-code|support)@anthropic\.com>",
            r"^claude-(generated-by|session): ",
        ),
        footers=(
            r"\W*generated with \[?claude code" + _LINK + r"\W*",
            r"https://claude\.ai/code/session_\w+",
        ),
        aliases=("claude code", "claude", "claude agent"),
        domains=("anthropic.com", "claude.ai", "claude.com"),
    ),
    Known(
        "openai-codex",
        "OpenAI Codex",
        Kind.AI_AGENT,
        identities=(_bot("chatgpt-codex-connector"), _bot("codex"), r"^codex <"),
        trailers=(_CO + r"chatgpt-codex-connector\[bot\]",),
        footers=(r"\W*generated (with|by) (openai )?codex\W*",),
        aliases=("codex", "openai codex", "codex cli", "chatgpt codex"),
        domains=("openai.com", "chatgpt.com"),
    ),
    Known(
        "cursor",
        "Cursor agent",
        Kind.AI_AGENT,
        emails=("cursoragent@cursor.com",),
        identities=(_bot("cursor"), r"^cursor agent <"),
        trailers=(_CO + r"[^<]*<[^>]*@(cursor\.com|cursor\.sh)>",),
        footers=(
            r"\W*generated (with|by) cursor\W*",
            r".*https://cursor\.com/background-agent\?bcid=.*",
        ),
        aliases=("cursor", "cursor agent", "cursoragent"),
        domains=("cursor.com", "cursor.sh", "anysphere.co"),
    ),
    Known(
        "devin",
        "Devin",
        Kind.AI_AGENT,
        emails=("devin-ai-integration[bot]@users.noreply.github.com",),
        identities=(_bot("devin-ai-integration"),),
        trailers=(_CO + r".*devin-ai-integration\[bot\]",),
        footers=(r"https://app\.devin\.ai/sessions/\w+",),
        aliases=("devin", "devin ai"),
        domains=("devin.ai", "cognition.ai"),
    ),
    Known(
        "gemini",
        "Google Gemini / Jules",
        Kind.AI_AGENT,
        identities=(_bot("gemini-code-assist"), _bot("google-labs-jules")),
        trailers=(_CO + r"(gemini-code-assist|google-labs-jules)\[bot\]",),
        footers=(r"\W*generated (with|by) gemini\W*",),
        aliases=("gemini", "gemini cli", "gemini code assist", "jules"),
    ),
    Known(
        "aider",
        "aider",
        Kind.AI_AGENT,
        identities=(r"\(aider\) <",),
        trailers=(_CO + r"aider\b[^<]*<[^>]*@aider\.(chat|dev)>",),
        footers=(r"aider: .*",),
        aliases=("aider",),
        domains=("aider.chat", "aider.dev"),
    ),
    Known(
        "amazon-q",
        "Amazon Q Developer",
        Kind.AI_AGENT,
        identities=(_bot("amazon-q-developer"), r"^amazon q( developer)? <"),
        trailers=(_CO + r"amazon q\b",),
        aliases=("amazon q", "amazon q developer"),
    ),
    Known(
        "openhands",
        "OpenHands",
        Kind.AI_AGENT,
        emails=("openhands@all-hands.dev",),
        identities=(_bot("openhands-agent"), r"^openhands <"),
        trailers=(_CO + r"openhands\b",),
        aliases=("openhands",),
        domains=("all-hands.dev",),
    ),
    Known(
        "windsurf",
        "Windsurf / Codeium",
        Kind.AI_AGENT,
        identities=(_bot("windsurf"), r"^(windsurf|codeium|cascade) <"),
        trailers=(_CO + r"(windsurf|codeium|cascade)\b",),
        aliases=("windsurf", "codeium", "cascade"),
        domains=("codeium.com", "windsurf.com"),
    ),
    Known(
        "sweep",
        "Sweep",
        Kind.AI_AGENT,
        identities=(_bot("sweep-ai"),),
        trailers=(_CO + r"sweep\b",),
    ),
    Known(
        "roo-code",
        "Roo Code",
        Kind.AI_AGENT,
        identities=(_bot("roomote"), _bot("roomote-v0")),
        trailers=(_CO + r"[^<]*<roomote@roocode\.com>", _CO + r"roomote(-v0)?\[bot\]"),
        aliases=("roo code", "roomote"),
        domains=("roocode.com",),
    ),
    Known(
        "cline",
        "Cline",
        Kind.AI_AGENT,
        identities=(
            _bot("cline-cloud"),
            r"^cline agent <cline-agent@users\.noreply\.github\.com>$",
        ),
        trailers=(
            _CO + r"[^<]*<(bot@cline\.bot|cline-agent@users\.noreply\.github\.com)>",
            _CO + r"cline-cloud\[bot\]",
        ),
        aliases=("cline",),
        domains=("cline.bot",),
    ),
    Known(
        "warp",
        "Warp agent (Oz)",
        Kind.AI_AGENT,
        identities=(_bot("oz-for-oss"),),
        trailers=(_CO + r"[^<]*<(oz-agent|agent)@warp\.dev>", _CO + r"oz-for-oss\[bot\]"),
        aliases=("oz", "oz agent", "warp agent mode", "warp ai agent mode"),
        domains=("warp.dev",),
    ),
    Known(
        "factory-droid",
        "Factory Droid",
        Kind.AI_AGENT,
        identities=(_bot("factory-droid"),),
        trailers=(_CO + r"[^<]*<droid@factory\.ai>", _CO + r"factory-droid\[bot\]"),
        aliases=("droid", "factory droid"),
        domains=("factory.ai",),
    ),
    Known(
        "sentry-ai",
        "Sentry's AI agents (Seer, Autofix, Junior)",
        Kind.AI_AGENT,
        identities=(_bot("seer-by-sentry"), _bot("sentry-autofix"), _bot("sentry-junior")),
        trailers=(
            _CO + r"(seer-by-sentry|sentry-autofix|sentry-junior)\[bot\]",
            _CO + r"junior (\[bot\]|\(bot\)) <junior\[bot\]@sentry\.io>",
        ),
        footers=(r"\W*this fix was generated by seer in sentry\b.*",),
        aliases=("seer", "sentry autofix"),
    ),
    Known(
        "open-agents",
        "Open Agents (Vercel)",
        Kind.AI_AGENT,
        identities=(_bot("openharness"), _bot("open-agents-bot")),
        trailers=(_CO + r"(openharness|open-agents-(bot|id))\[bot\]",),
    ),
    Known(
        "greptile",
        "Greptile (AI code review)",
        Kind.AI_AGENT,
        identities=(_bot("greptile-apps"),),
        trailers=(_CO + r"greptile-apps\[bot\]",),
        aliases=("greptile",),
    ),
    Known(
        "ellipsis",
        "Ellipsis (AI code review)",
        Kind.AI_AGENT,
        identities=(_bot("ellipsis-dev"),),
        trailers=(_CO + r"ellipsis-dev\[bot\]",),
    ),
    Known(
        # Kept for registries that claim it: a trailer that declares a tool (`Assisted-by:`,
        # `Made-with:`, ...) is read by principle and reported by the name it gives; this entry
        # stands for such a trailer when it names nothing.
        "generic-ai-trailer",
        "AI assistant (generic trailer)",
        Kind.AI_AGENT,
    ),
    Known(
        "dependabot",
        "Dependabot",
        Kind.BOT,
        emails=("49699333+dependabot[bot]@users.noreply.github.com", "support@dependabot.com"),
        identities=(_bot("dependabot"), _bot("dependabot-preview")),
        trailers=(r"^(co-authored-by|signed-off-by): dependabot\[bot\]",),
    ),
    Known(
        "renovate",
        "Renovate",
        Kind.BOT,
        emails=("29139614+renovate[bot]@users.noreply.github.com", "bot@renovateapp.com"),
        identities=(_bot("renovate"), r"^renovate bot <"),
        trailers=(_CO + r"renovate\[bot\]",),
    ),
    Known(
        "github-actions",
        "GitHub Actions",
        Kind.BOT,
        emails=("41898282+github-actions[bot]@users.noreply.github.com", "actions@github.com"),
        identities=(_bot("github-actions"), r"^github-actions\[bot\] <"),
        trailers=(_CO + r"github-actions\[bot\]",),
    ),
    Known(
        # Kept for registries that claim it: any other `[bot]` account is read by principle and
        # reported by its login (`unregistered:<login>`); this entry stands for that family.
        "github-app-bot",
        "GitHub App bot (unidentified)",
        Kind.BOT,
    ),
)

CATALOGUE_IDS = frozenset(k.id for k in CATALOGUE)


@dataclass(frozen=True, slots=True)
class _Compiled:
    known: Known
    identities: tuple[re.Pattern[str], ...]
    trailers: tuple[re.Pattern[str], ...]
    footers: tuple[re.Pattern[str], ...]


_COMPILED = tuple(
    _Compiled(
        k,
        tuple(re.compile(p) for p in k.identities),
        tuple(re.compile(p) for p in k.trailers),
        tuple(re.compile(p) for p in k.footers),
    )
    for k in CATALOGUE
)

#: Every alias and vendor domain, lower case, to the entry that claims it.
ALIASES: dict[str, Known] = {a: k for k in CATALOGUE for a in k.aliases}
DOMAINS: dict[str, Known] = {d: k for k in CATALOGUE for d in k.domains}
BY_ID: dict[str, Known] = {k.id: k for k in CATALOGUE}
#: Entries by their display name and by every alias, lower case.
BY_NAME: dict[str, Known] = {**{k.name.lower(): k for k in CATALOGUE}, **ALIASES}


def match_identity(name: str, email: str) -> list[Known]:
    """Catalogue entries an author or committer identity matches."""
    email_l = email.lower()
    ident = f"{name.lower()} <{email_l}>"
    return [
        c.known
        for c in _COMPILED
        if email_l in c.known.emails or any(p.search(ident) for p in c.identities)
    ]


def match_trailer(line: str) -> list[Known]:
    low = line.lower()
    return [c.known for c in _COMPILED if any(p.search(low) for p in c.trailers)]


_ANY_FOOTER = re.compile("|".join(f"(?:{p})" for k in CATALOGUE for p in k.footers))


def match_footers(footers: tuple[str, ...]) -> list[Known]:
    """Entries whose footer pattern matches one of the message's footers as a whole."""
    found: dict[str, Known] = {}
    for text in footers:
        low = text.lower()
        if _ANY_FOOTER.fullmatch(low):  # one scan for the common case: no footer at all
            for c in _COMPILED:
                if any(p.fullmatch(low) for p in c.footers):
                    found.setdefault(c.known.id, c.known)
    return list(found.values())
