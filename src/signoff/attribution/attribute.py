"""Attribute each commit to the identities that influenced it, with typed evidence.

Only a signature that git verified against a key registered for an identity is *witnessed*.
Everything the commit itself says (author, committer, trailers, message) is *asserted*: it can make
a commit count as agent work, but it can never make agent work count as human.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Mapping
from enum import StrEnum
from typing import ClassVar, NamedTuple
from weakref import WeakValueDictionary

from signoff.attribution import catalogue, principles
from signoff.attribution.message import footers, trailers
from signoff.changes import Commit
from signoff.identity.agents import Agent, Registry
from signoff.identity.signers import AGENT_PRINCIPAL as AGENT_PRINCIPAL
from signoff.identity.signers import Signers as Signers
from signoff.taxonomy import Kind


class AttributionKind(StrEnum):
    AGENT = "agent"
    BOT = "bot"
    UNVERIFIED = "unverified"
    HUMAN = "human"


class EvidenceType(StrEnum):
    WITNESSED = "witnessed"
    ASSERTED = "asserted"


class Evidence(NamedTuple):
    type: EvidenceType
    source: str  # signature, author, committer, trailer, message, push
    identity: str  # registered agent id, "unregistered:<catalogue id>", or a human principal
    detail: str


class Actor(NamedTuple):
    """A non-human identity that influenced a commit."""

    id: str  # registered agent id, or "unregistered:<catalogue id>"
    kind: Kind
    agent: Agent | None  # None when unregistered

    @property
    def registered(self) -> bool:
        return self.agent is not None


class Profile:
    """All an attribution says about its commit except which commit it is: interned.

    `Profile.of` returns one instance per distinct value, so commits attributed alike share one
    profile, and code that groups them keys on the profile itself: two profiles are equal
    exactly when they are the same object, so a profile compares and hashes by identity
    (object's own ``==`` and ``hash``), which is both exact and cheap. Never build one directly.
    """

    __slots__ = (
        "__weakref__",
        "actors",
        "co_authors",
        "evidence",
        "human",
        "kind",
        "task_requesters",
    )

    kind: AttributionKind
    actors: tuple[Actor, ...]
    evidence: tuple[Evidence, ...]
    human: str | None  #: principal of a verified human signature
    co_authors: tuple[str, ...]  #: human e-mails named in trailers
    #: who asked for this work, as the control plane recorded the task behind a witnessed push
    task_requesters: tuple[str, ...]

    _interned: ClassVar[WeakValueDictionary[tuple[object, ...], Profile]] = WeakValueDictionary()

    @classmethod
    def of(
        cls,
        kind: AttributionKind,
        actors: tuple[Actor, ...],
        evidence: tuple[Evidence, ...],
        human: str | None = None,
        co_authors: tuple[str, ...] = (),
        task_requesters: tuple[str, ...] = (),
    ) -> Profile:
        key = (kind, actors, evidence, human, co_authors, task_requesters)
        found = cls._interned.get(key)
        if found is None:
            found = object.__new__(cls)
            for name, value in zip(_PROFILE_FIELDS, key, strict=True):
                object.__setattr__(found, name, value)
            cls._interned[key] = found
        return found

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a profile is shared and never changes ({name})")

    def __repr__(self) -> str:
        return (
            f"Profile({self.kind.value}, actors={[a.id for a in self.actors]}, "
            f"human={self.human!r}, co_authors={self.co_authors!r})"
        )


_PROFILE_FIELDS = ("kind", "actors", "evidence", "human", "co_authors", "task_requesters")


class Attribution(NamedTuple):
    """Who influenced one commit: the commit and its (shared) profile."""

    sha: str
    profile: Profile

    @property
    def kind(self) -> AttributionKind:
        return self.profile.kind

    @property
    def actors(self) -> tuple[Actor, ...]:
        return self.profile.actors

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        return self.profile.evidence

    @property
    def human(self) -> str | None:
        return self.profile.human

    @property
    def co_authors(self) -> tuple[str, ...]:
        return self.profile.co_authors

    @property
    def task_requesters(self) -> tuple[str, ...]:
        return self.profile.task_requesters

    @property
    def asserted_only(self) -> bool:
        """Nothing witnessed vouches for this commit: no verified signature (human or agent),
        no push through the hook. Its human authorship is unverified, whatever else it claims."""
        return self.human is None and all(e.type is EvidenceType.ASSERTED for e in self.evidence)


def attribution(
    sha: str,
    kind: AttributionKind,
    actors: tuple[Actor, ...],
    evidence: tuple[Evidence, ...],
    human: str | None = None,
    co_authors: tuple[str, ...] = (),
    task_requesters: tuple[str, ...] = (),
) -> Attribution:
    """An attribution with its interned profile."""
    return Attribution(sha, Profile.of(kind, actors, evidence, human, co_authors, task_requesters))


_EMAIL = re.compile(r"<([^<>\s]+@[^<>\s]+)>")
#: Every footer rule (catalogue footers, `principles.from_footer`) needs one of these words, and
#: every AI disclosure (`principles.DISCLOSURE`) one of the last ones: a message with none of them
#: is never cut into footers (tests run every rule's examples through this).
_HINT = (
    "generat", "creat", "made", "built", "written", "coded", "produc", "implement", "draft",
    "http", "aider: ", "llm", "ai ", "ai:", "ai*", "ai_", "ai-",
)  # fmt: skip


def declarations(message: str) -> tuple[tuple[str, str, Kind, str, str], ...]:
    """What the message's footers declare: (catalogue id or "", name, kind, rule, footer).

    The catalogue's footers first (a footer it knows is not read again by principle), then the
    self-declarations `principles.from_footer` finds in the footers after the subject.
    """
    low = message.lower()
    if not any(word in low for word in _HINT):
        return ()
    out: list[tuple[str, str, Kind, str, str]] = []
    for n, text in enumerate(footers(message)):
        known = catalogue.match_footers((text,))
        if known:
            out += [(k.id, k.name, k.kind, "catalogue", text) for k in known]
        elif n:
            out += [("", d.name, d.kind, d.rule, text) for d in principles.from_footer(text)]
    if ("ai" in low or "llm" in low) and principles.DISCLOSURE.search(message):
        out += [
            ("", d.name, d.kind, d.rule, "AI disclosure")
            for d in principles.from_disclosure(message)
        ]
    return tuple(out)


#: A message as attribution reads it: its trailers and its declarations.
Read = tuple[tuple[str, ...], tuple[tuple[str, str, Kind, str, str], ...]]


def read_message(message: str) -> Read:
    return trailers(message), declarations(message)


class Attributor:
    """Attributes many commits; authors, trailers and messages repeat, so matches are cached."""

    def __init__(
        self, registry: Registry, signers: Signers, automation: Mapping[str, str] | None = None
    ) -> None:
        self.registry = registry
        self.signers = signers
        self.automation = automation or {}  #: address -> a base workflow that commits as it
        self._ident: dict[tuple[str, str], list[tuple[Actor, str]]] = {}
        self._trailer: dict[str, list[tuple[Actor, str]]] = {}
        self._same: dict[tuple[object, ...], Attribution] = {}
        self._keyed: dict[tuple[object, ...], Attribution] = {}

    def identity(self, name: str, email: str) -> list[tuple[Actor, str]]:
        key = (name, email)
        hit = self._ident.get(key)
        if hit is None:
            hit = self._ident[key] = list(_identity_actors(name, email, self.registry))
            where = self.automation.get(email.lower())
            if not hit and where:  # the base ref's workflow commits as it
                bot = _actor_for_declared("", name, Kind.BOT, "github-app-bot", self.registry)
                why = f"{name} <{email}>: `{where}` commits as it (rule workflow-identity)"
                hit.append((bot, why))
        return hit

    def trailer(self, line: str) -> list[tuple[Actor, str]]:
        hit = self._trailer.get(line)
        if hit is None:
            hit = self._trailer[line] = list(_trailer_actors(line, self.registry))
        return hit

    def __call__(self, commit: Commit, read: Read | None = None) -> Attribution:
        """Commits with the same identities, signature, trailers and declarations attribute
        alike. `read` is `read_message(commit.message)` when the caller has it already."""
        read = read or read_message(commit.message)
        key = (
            commit.author.name, commit.author.email, commit.committer.name,
            commit.committer.email, commit.signature, read,
        )  # fmt: skip
        done = self._same.get(key)
        if done is None:
            done = attribute(commit, self.registry, self.signers, self, read)
            self._same[key] = done
        return done._replace(sha=commit.sha) if done.sha != commit.sha else done

    def keyed(
        self, sha: str, ident: Hashable, message: str, commit: Callable[[], Commit]
    ) -> Attribution:
        """As ``self(commit())``, for a caller whose ``ident`` stands exactly for the commit's
        author, committer and signature: on a cache hit no `Commit` is ever built."""
        read = read_message(message)
        key = (ident, read)
        done = self._keyed.get(key)
        if done is None:
            done = self._keyed[key] = self(commit(), read)
        return done if done.sha == sha else Attribution(sha, done.profile)


def attribute(
    commit: Commit,
    registry: Registry,
    signers: Signers,
    cache: Attributor | None = None,
    read: Read | None = None,
) -> Attribution:
    cache = cache or Attributor(registry, signers)
    lines, declared = read or read_message(commit.message)
    evidence: list[Evidence] = []
    actors: dict[str, Actor] = {}

    def add(actor: Actor, ev: Evidence) -> None:
        actors.setdefault(actor.id, actor)
        evidence.append(ev)

    human: str | None = None
    sig = commit.signature  # judged by signoff at the time of the check (commit_signers)
    signed = f"signed with {sig.fingerprint or sig.key}"
    if sig.good and sig.signer.startswith(AGENT_PRINCIPAL):
        agent = registry.get(sig.signer[len(AGENT_PRINCIPAL) :])
        if agent is not None:
            ev = Evidence(EvidenceType.WITNESSED, "signature", agent.id, signed)
            add(Actor(agent.id, agent.kind, agent), ev)
    elif sig.good and sig.signer in signers.humans:
        human = sig.signer
        evidence.append(Evidence(EvidenceType.WITNESSED, "signature", sig.signer, signed))

    for role, person in (("author", commit.author), ("committer", commit.committer)):
        for actor, why in cache.identity(person.name, person.email):
            add(actor, Evidence(EvidenceType.ASSERTED, role, actor.id, why))

    co_authors: list[str] = []
    for line in lines:
        matched = False
        for actor, why in cache.trailer(line):
            matched = True
            add(actor, Evidence(EvidenceType.ASSERTED, "trailer", actor.id, why))
        if not matched and line.lower().startswith("co-authored-by:"):
            m = _EMAIL.search(line)
            if m:
                co_authors.append(m.group(1).lower())

    for known_id, name, tool_kind, rule, text in declared:
        actor = _actor_for_declared(known_id, name, tool_kind, "generic-ai-trailer", registry)
        why = f"footer {text[:120]!r}" + ("" if rule == "catalogue" else f" (rule {rule})")
        add(actor, Evidence(EvidenceType.ASSERTED, "message", actor.id, why))

    if actors:
        kind = (
            AttributionKind.AGENT
            if any(a.kind is Kind.AI_AGENT for a in actors.values())
            else AttributionKind.BOT
        )
    else:
        kind = AttributionKind.HUMAN if human else AttributionKind.UNVERIFIED
    # Who signed agent work they authored asked for it. A signature on a commit the agent
    # authored (a signed rebase) says only who handled it: an approver stays an approver.
    made_it = human is not None and human.lower() == commit.author.email.lower()
    if made_it and human and kind in (AttributionKind.AGENT, AttributionKind.BOT):
        co_authors.append(human)
    return attribution(
        commit.sha,
        kind,
        tuple(actors.values()),
        tuple(evidence),
        human=human,
        co_authors=tuple(dict.fromkeys(co_authors)),
    )


def _identity_actors(name: str, email: str, registry: Registry) -> Iterable[tuple[Actor, str]]:
    email_l = email.lower()
    login = email_l.split("@", 1)[0].split("+", 1)[-1]
    shown = f"{name} <{email}>"
    hit = False
    for agent in registry.agents:
        if (
            email_l in agent.match.emails
            or name in agent.match.names
            or (login in agent.match.logins and email_l.endswith("@users.noreply.github.com"))
        ):
            hit = True
            yield Actor(agent.id, agent.kind, agent), f"{shown} is registered to {agent.id}"
    if hit:
        return
    found = catalogue.match_identity(name, email)
    for known in found:
        yield _actor_for_known(known, registry), f"{shown} is {known.name}"
    if found:
        return
    for d in principles.from_identity(name, email):
        actor = _actor_for_declared("", d.name, d.kind, d.family, registry)
        yield actor, f"{shown}: {_RULES[d.rule]} (rule {d.rule})"


def _trailer_actors(line: str, registry: Registry) -> Iterable[tuple[Actor, str]]:
    low = line.lower()
    hit = False
    for agent in registry.agents:
        if any(t in low for t in agent.match.trailers):
            hit = True
            yield Actor(agent.id, agent.kind, agent), f"trailer {line!r}"
    if hit:
        return
    found = catalogue.match_trailer(line)
    for known in found:
        yield _actor_for_known(known, registry), f"trailer {line!r}"
    if found:
        return
    for d in principles.from_trailer(line):
        actor = _actor_for_declared("", d.name, d.kind, d.family, registry)
        yield actor, f"trailer {line!r}: {_RULES[d.rule]} (rule {d.rule})"


#: What each principle rule means, in the words `signoff explain` shows.
_RULES = {
    "bot-account": "a bot account",
    "agent-marker": "a name marked as an agent or tool",
    "model-name": "a name that is a versioned AI model",
    "vendor-mailbox": "a tool mailbox at an AI vendor's domain",
    "role-mailbox": "a co-author with a no-reply or role address, not a person's",
    "tool-trailer": "a trailer that declares a tool",
    "self-declaration": "a footer saying a tool made the change",
}


def _actor_for_declared(
    known_id: str, name: str, kind: Kind, family: str, registry: Registry
) -> Actor:
    """A tool found by principle: the catalogue entry with that id, alias or name, the registered
    agent that claims the rule's family, else `unregistered:<slug of its name>`."""
    known = catalogue.BY_ID.get(known_id) or catalogue.BY_NAME.get(name.lower())
    if known is not None:
        return _actor_for_known(known, registry)
    if family:
        for agent in registry.agents:
            if family in agent.match.catalog:
                return Actor(agent.id, agent.kind, agent)
    return Actor(f"unregistered:{principles.slug(name)}", kind, None)


def _actor_for_known(known: catalogue.Known, registry: Registry) -> Actor:
    """A catalogue hit belongs to the registered agent that claims that entry, if any."""
    for agent in registry.agents:
        if known.id in agent.match.catalog:
            return Actor(agent.id, agent.kind, agent)
    return Actor(f"unregistered:{known.id}", known.kind, None)


class Witness(NamedTuple):
    """A push the git-server hook accepted with a task token (`signoff hook pre-receive`)."""

    task: str
    agent: str
    requester: str
    ref: str


def with_witness(a: Attribution, w: Witness, registry: Registry) -> Attribution:
    """The hook saw this commit pushed with the task token of `w.agent`: that is *witnessed*
    agent work, whatever the author fields say, and the task's requester asked for it (so they
    never approve it: docs/approvals.md)."""
    agent = registry.get(w.agent)
    actor = (
        Actor(agent.id, agent.kind, agent)
        if agent is not None
        else Actor(f"unregistered:{w.agent}", Kind.AI_AGENT, None)
    )
    ev = Evidence(
        EvidenceType.WITNESSED, "push", actor.id, f"pushed to {w.ref} with a token of task {w.task}"
    )
    actors = a.actors if any(x.id == actor.id for x in a.actors) else (*a.actors, actor)
    kind = AttributionKind.BOT if all(x.kind is Kind.BOT for x in actors) else AttributionKind.AGENT
    asked = w.requester.lower()
    co = tuple(dict.fromkeys((*a.co_authors, asked)))
    task = tuple(dict.fromkeys((*a.task_requesters, asked)))
    return attribution(
        a.sha, kind, actors, (ev, *a.evidence), a.human, co_authors=co, task_requesters=task
    )
