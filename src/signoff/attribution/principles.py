"""Non-human tools found by the shape of what they write, not by a list of their names.

New coding agents and bots appear every month; the catalogue (`signoff.attribution.catalogue`) is
only the fast path. A tool announces itself in a few shapes, and each rule here reads one of them:

- `bot-account`: a `[bot]` account, or a name or login marked as a bot (`release-bot`,
  `Junior (bot)`), as author, committer or co-author; an AI agent when its name says so
  (`…-ai`, `…-agent`, `…-autofix`), names an AI vendor (`cline-cloud[bot]`), or its address is at
  an AI vendor's domain (`Cline Bot <bot@cline.bot>`) and its name names no chore
  (`…-repo-sync[bot]`, `…-release[bot]`), else automation;
- `agent-marker`: a name marked as an agent or a tool (`Paul (aider)`, `Joe (Agent) Stump`,
  `joe-agent`);
- `model-name`: a name that is a versioned AI model (`Claude Opus 4.6`, `GPT-5 Codex`,
  `x-ai/grok-4.5`): a person named Claude is a person, so the rule needs the version;
- `vendor-mailbox`: a tool mailbox (`noreply@`, `agent@`, or the tool's own name) at the domain of
  an AI tool vendor, or an identity there named as the vendor itself (`Roo Code
  <roomote@roocode.com>`); a person's own address at that domain is a person;
- `role-mailbox`: a co-author whose address is a role, not a person (`Codebuff
  <noreply@codebuff.com>`): nobody co-authors from a no-reply mailbox, tools do. GitHub's own
  addresses and reserved example domains (`noreply@example.com`) are left out;
- `tool-trailer`: a trailer whose key declares a tool (`Assisted-by:`, `Made-with:`,
  `Generated-by:`, `AI-assisted:`) or a tool's session (`Amp-Thread-ID:`, `<Tool>-Session:`);
- `self-declaration`: a footer of its own saying the change was generated, created, written, ...
  with or by a named tool (`🤖 Generated with [opencode](…)`, `Created with Claude Code`), also
  as the ticked box of a pull request template (`- [x] This PR was created via X`; an unticked
  box declares nothing);
- `ai-disclosure`: an AI disclosure the author wrote, as projects with an AI policy ask for
  (`AI disclosure: Claude drafted this`, a `## LLM notes` section), unless it says no AI was used.

Each finding carries the name the tool gave itself; `attribute` reports it as the catalogue entry
with that alias or vendor domain, else as `unregistered:<name>`. Everything here is *asserted*:
it can only add scrutiny.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from signoff.attribution.catalogue import ALIASES, DOMAINS
from signoff.taxonomy import Kind

__all__ = [
    "Declared",
    "from_disclosure",
    "from_footer",
    "from_identity",
    "from_trailer",
    "slug",
]


class Declared(NamedTuple):
    name: str  # the name the tool gave itself, as written
    kind: Kind
    rule: str  # which rule of this module found it
    #: the catalogue entry standing for this family of findings (a registry can claim it)
    family: str


#: AI tool and model vendors whose tool mailboxes are not people (catalogue entries add theirs).
AI_DOMAINS = frozenset(
    {
        "ampcode.com", "augmentcode.com", "cline.bot", "continue.dev", "deepmind.com",
        "deepseek.com", "factory.ai", "kilo.ai", "kilocode.ai", "lovable.dev", "mistral.ai",
        "moonshot.ai", "moonshot.cn", "opencode.ai", "qwen.ai", "qwenlm.ai", "replit.com",
        "roocode.com", "tabnine.com", "v0.dev", "warp.dev", "x.ai", "z.ai", "zed.dev",
        "zhipuai.cn",
    }
)  # fmt: skip
#: The names of those vendors (`cline` of cline.bot): a bot account named so is their agent.
_VENDOR_LABELS = frozenset(
    label for d in AI_DOMAINS | DOMAINS.keys() if len(label := d.split(".", 1)[0]) >= 4
)
#: Words that make an AI vendor's bot that vendor's plain automation (`acme-repo-sync[bot]`).
_CHORES = frozenset(
    {"sync", "release", "releases", "deploy", "ci", "cla", "publish", "mirror", "backport",
     "labeler", "stale", "changelog"}
)  # fmt: skip
#: Mailbox names that are a role, not a person.
_ROLE_MAILBOXES = frozenset(
    {"noreply", "no-reply", "donotreply", "do-not-reply", "bot", "agent", "ai", "assistant"}
)
#: Words that make a `[bot]` login an AI agent rather than plain automation.
_AI_WORDS = frozenset({"ai", "agent", "agents", "llm", "gpt", "autofix", "coder", "codegen"})
_MODEL = re.compile(
    r"\b(?:claude|gpt|o[134]|gemini|gemma|llama|qwen|deepseek|mistral|mixtral|codestral|devstral"
    r"|grok|kimi|glm|sonnet|opus|haiku|fable|minimax|nemotron|phi)"
    r"(?:-?v?\d|[ _-]+(?:[a-z]+[ _-]+)?[a-z]?\d)",
    re.IGNORECASE,
)
_PROVIDER_MODEL = re.compile(r"^[a-z0-9.-]+/[a-z0-9._:-]*\d[a-z0-9._:-]*$", re.IGNORECASE)
#: Any alias of a catalogue entry as a whole word, longest first (`claude code` before `claude`).
_ALIAS = re.compile(
    r"\b(" + "|".join(re.escape(a) for a in sorted(ALIASES, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
_IDENT = re.compile(r"^(.*?)\s*<([^<>\s]*)>")
_BOT_NAME = re.compile(r"(?:\[bot\]|\(bot\)|[-_]bot)$", re.IGNORECASE)
_MARKER = re.compile(r"\((?P<inner>[^()]{1,40})\)|[-_](?P<suffix>agent)$", re.IGNORECASE)
_MARKER_WORDS = frozenset({"agent", "ai"})
_TOOL_KEY = re.compile(
    r"^(?:(?:generated|created|made|built|coded|produced)-(?:by|with|using)|assisted-by"
    r"|ai-(?:assisted|generated|agent|assistant|tool|model)(?:-by)?|x-ai-agent)$",
    re.IGNORECASE,
)
_SESSION_KEY = re.compile(
    r"^(?P<tool>[a-z0-9]+)-(?:session|session-id|thread|thread-id|conversation|conversation-id)$",
    re.IGNORECASE,
)
_DECLARATION = re.compile(
    r"^\W*(?:[*_]+\s*)?"
    r"(?i:(?:(?:(?:this|the)\s+)?(?:pr|pull request|commit|change|patch|fix|code)\s+"
    r"(?:was|is|has been)\s+|this\s+(?:was|is)\s+|automated\s+[a-z -]{1,30}?\s+"
    r"|pull request\s+|pr\s+)?"
    r"(?:(?:largely|fully|mostly|partly|partially|entirely|automatically)\s+)?"
    r"(?:generated|created|made|built|written|coded|produced|implemented|drafted)"
    r"\s+(?:with|by|using|via|in)\s+(?:(?:the\s+)?(?:help|assistance)\s+(?:of|from)\s+)?)"
    r"(?P<tool>\[[^\]]{1,40}\]\([^)\s]*\)|[A-Z0-9][\w.+-]*(?:'s)?(?:\s+[A-Z0-9][\w.+-]*){0,3})"
    r"(?:\s*\([^()]{0,40}\))?\s*[*_]*\s*[.!]?[*_]*\W*$"
)


def slug(name: str) -> str:
    """`Orbis Security AI` -> `orbis-security-ai`: how a declared name becomes an id."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "unnamed"


def _kind_of(name: str) -> Kind:
    words = set(re.split(r"[^a-z0-9]+", name.lower()))
    automation = words & {"bot", "workflow", "workflows", "action", "actions", "automation"}
    return Kind.BOT if automation else Kind.AI_AGENT


def _split_ident(text: str) -> tuple[str, str]:
    m = _IDENT.match(text.strip())
    return (m.group(1).strip(), m.group(2).lower()) if m else (text.strip(), "")


def from_identity(name: str, email: str, co_author: bool = False) -> list[Declared]:
    """Shapes of a tool in an author, committer or co-author (`name`, `email`)."""
    email = email.lower()
    local, _, domain = email.partition("@")
    login = local.split("+", 1)[-1]
    out: list[Declared] = []
    if login.endswith("[bot]") or _BOT_NAME.search(name) or local in ("bot", "bots"):
        bot = login.removesuffix("[bot]") if login.endswith("[bot]") else name
        bot = re.sub(r"\s*(\[bot\]|\(bot\))$", "", bot, flags=re.IGNORECASE) or domain
        words = re.split(r"[^a-z0-9]+", bot.lower())
        vendor = domain in AI_DOMAINS or domain in DOMAINS or words[0] in _VENDOR_LABELS
        vendor = vendor and not _CHORES & set(words)
        kind = Kind.AI_AGENT if _AI_WORDS & set(words) or vendor else Kind.BOT
        out.append(Declared(bot, kind, "bot-account", "github-app-bot"))
    marker = _MARKER.search(name) or _MARKER.search(login)
    if marker is not None:
        inner = (marker.group("inner") or marker.group("suffix") or "").strip()
        tool = ALIASES.get(inner.lower())
        if tool is not None or inner.lower() in _MARKER_WORDS or _MODEL.search(inner):
            shown = tool.name if tool is not None else name or login
            out.append(Declared(shown, Kind.AI_AGENT, "agent-marker", "generic-ai-trailer"))
    if _MODEL.search(name) or _PROVIDER_MODEL.match(name.strip()):
        out.append(Declared(_tool_name(name, local, domain), Kind.AI_AGENT, "model-name", ""))
    elif _vendor_mailbox(name, local, domain):
        out.append(Declared(_tool_name(name, local, domain), Kind.AI_AGENT, "vendor-mailbox", ""))
    elif co_author and not out and _role_mailbox(local, domain):
        shown = _tool_name(name, local, domain)
        out.append(Declared(shown, _kind_of(shown), "role-mailbox", "generic-ai-trailer"))
    return out


#: Domains that name nobody: GitHub's own (its web-flow identity commits people's work) and the
#: names reserved for examples and tests (RFC 2606), which people put in placeholder addresses.
_NOBODYS = re.compile(
    r"(?:^|\.)(?:github\.com|example\.(?:com|net|org))$|\.(?:example|test|invalid|localhost)$"
)


def _role_mailbox(local: str, domain: str) -> bool:
    return local in _ROLE_MAILBOXES and "." in domain and not _NOBODYS.search(domain)


def _vendor_mailbox(name: str, local: str, domain: str) -> bool:
    if domain not in AI_DOMAINS and domain not in DOMAINS:
        return False
    label = domain.split(".", 1)[0]
    return (
        local in _ROLE_MAILBOXES
        or re.sub(r"[^a-z0-9]+", "", name.lower()) == label
        or local in ALIASES
        or local.startswith(label)
        or label.startswith(local)
        or "agent" in local
    )


def _tool_name(name: str, local: str, domain: str) -> str:
    """The tool a model-named or vendor-mailbox identity stands for, as plainly as it says."""
    for text in (name, local):
        alias = _ALIAS.search(text)
        if alias is not None:
            return ALIASES[alias.group(1).lower()].name
    if domain in DOMAINS:
        return DOMAINS[domain].name
    words = [w for w in re.sub(r"\([^)]*\)", " ", name).split() if not _MODEL.search(w)]
    plain = " ".join(w for w in words if not re.search(r"\d", w))
    if plain and not _PROVIDER_MODEL.match(name.strip()):
        return plain
    if local and local not in _ROLE_MAILBOXES:
        return local
    return domain.split(".", 1)[0] if domain else name


def from_trailer(line: str) -> list[Declared]:
    """A co-author that is a tool, or a trailer that declares one."""
    key, _, value = line.partition(":")
    key, value = key.strip(), value.strip()
    low = key.lower()
    if low == "co-authored-by":
        name, email = _split_ident(value)
        return from_identity(name, email, co_author=True)
    session = _SESSION_KEY.match(key)
    if session is not None:
        return [Declared(session.group("tool"), Kind.AI_AGENT, "tool-trailer", "")]
    if not _TOOL_KEY.match(key) or not value:
        return []
    return [Declared(_declared_name(value), Kind.AI_AGENT, "tool-trailer", "generic-ai-trailer")]


def _declared_name(value: str) -> str:
    """`Crush:kimi-k2.6` -> Crush; `GLM-5.1 via Crush <crush@…>` -> Crush; `Claude Opus 4.6` ->
    Claude (the model family, when that is all there is); links and addresses dropped."""
    text = re.sub(r"<[^>]*>|https?://\S+", " ", value)
    via = re.search(r"\bvia\s+(.+)$", text, re.IGNORECASE)
    if via is not None:
        text = via.group(1)
    text = text.split(":", 1)[0]
    text = re.sub(r"\([^)]*\)|[\[\]]", " ", text)
    alias = _ALIAS.search(text)
    if alias is not None:
        return ALIASES[alias.group(1).lower()].name
    words = text.split()[:4]
    plain = [w for w in words if not re.search(r"\d", w)]
    return " ".join(plain or words) or "unnamed"


#: A Markdown task-list item, ticked or not, and the label a template may put before its sentence
#: (`- [x] Agent Mode - This PR was created via …`).
_CHECKBOX = re.compile(
    r"^\s*[-*+]\s+\[(?P<tick>[ xX])\]\s+(?:[^-\u2013\u2014:]{1,40}\s[-\u2013\u2014:]\s+)?"
)


def from_footer(text: str) -> list[Declared]:
    """A footer saying the change was generated, created, written, ... with or by a tool; in a
    pull request template's checkbox, only when the box is ticked."""
    box = _CHECKBOX.match(text)
    if box is not None:
        if box.group("tick") == " ":
            return []
        text = text[box.end() :]
    m = _DECLARATION.match(text)
    if m is None:
        return []
    tool = m.group("tool")
    if tool.startswith("["):
        tool = tool[1 : tool.index("]")]
    tool = tool.replace("'s ", " ").removesuffix("'s").strip()
    known = ALIASES.get(tool.lower())
    name = known.name if known is not None else tool
    return [Declared(name, _kind_of(tool), "self-declaration", "generic-ai-trailer")]


#: The label or heading of an AI disclosure: `AI usage:`, `## AI Disclosure`, `**LLM notes:**`.
DISCLOSURE = re.compile(
    r"^[#>*_\s]*(?:ai|llm)(?:[ -]?assisted|[ -]+(?:usage|use|disclosure|disclaimer|notes?"
    r"|assistance|closure)(?:[ -]+disclosure)?)(?![a-z])(?: per [^:\n]{1,40})?[*_\s]*(?::|$)",
    re.IGNORECASE | re.MULTILINE,
)
_DENIAL = re.compile(
    r"\bno (?:ai|llm)s?\b|\b(?:not|never) used? (?:any )?(?:ai|llms?)\b|\bdidn'?t use (?:any )?"
    r"(?:ai|llms?)\b|\bwithout (?:any )?(?:ai|llms?)\b|^\W*(?:none|n/?a|no)\W*$",
    re.IGNORECASE,
)


def from_disclosure(message: str) -> list[Declared]:
    """An AI disclosure section: its label's line, or the paragraph under a heading, says which
    tool took part; a disclosure that denies any AI use declares nothing."""
    out: list[Declared] = []
    for m in DISCLOSURE.finditer(message):
        rest = message[m.end() :]
        line, _, after = rest.partition("\n")
        text = line.strip(" *_")
        if not text:  # a heading: the paragraph under it
            text = after.lstrip("\n").split("\n\n", 1)[0].strip()
        if not text or _DENIAL.search(text):
            continue
        alias = _ALIAS.search(text)
        name = ALIASES[alias.group(1).lower()].name if alias is not None else "AI (disclosed)"
        out.append(Declared(name, Kind.AI_AGENT, "ai-disclosure", "generic-ai-trailer"))
    return out
