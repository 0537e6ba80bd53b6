"""Parse and validate `.signoff/policy.yml` with errors at file:line:column and field path."""

from __future__ import annotations

import hashlib
import re

from signoff.config.fields import Fields
from signoff.config.yamlsrc import load
from signoff.policy.model import (
    ApprovalSettings,
    AutoLane,
    FourEyes,
    Policy,
    ReleaseSettings,
    Requirement,
    Rule,
    When,
)
from signoff.protected import POLICY_PATH
from signoff.taxonomy import RISK, FileClass, Mode, Risk

_TOP = (
    "version",
    "treat_unverified_as_agent",
    "unregistered_agents",
    "unverified_commits",
    "default_approval",
    "auto_lane",
    "groups",
    "classes",
    "rules",
    "approvals",
    "protected_branches",
    "release",
    "four_eyes",
    "allow_risky_lane",
)
_RELEASE_KEYS = (
    "approvals",
    "from",
    "classes",
    "all_changes",
    "trusted_builders",
    "trusted_signers",
    "allow_lightweight_tags",
    "require_signed_tags",
    "require_verified_builders",
)
_CLASSES = [c.value for c in FileClass]
_MODES = [m.value for m in Mode]

DEFAULT_GROUP = "maintainers"


def parse_policy(text: bytes, file: str = POLICY_PATH, *, protected: bool = True) -> Policy:
    """A validated `Policy`, or `ConfigError` at the first problem found."""
    doc = load(text, file)
    f = Fields(doc)
    f.mapping((), _TOP)
    version = f.integer(("version",), 1, minimum=1)
    if version != 1:
        raise f.error(("version",), f"unsupported policy version {version} (expected 1)")

    groups, logins = _groups(f)

    f.mapping(("default_approval",), ("approvals", "from"))
    default = Requirement(
        f.integer(("default_approval", "approvals"), 1, minimum=1),
        f.string(("default_approval", "from"), DEFAULT_GROUP),
        "default-approval",
    )
    _check_group(f, groups, ("default_approval", "from"), default.group)

    f.mapping(("unregistered_agents",), ("mode",))
    f.mapping(("unverified_commits",), ("mode",))
    lane = _auto_lane(f)

    class_globs: dict[FileClass, tuple[str, ...]] = {}
    for name in f.mapping(("classes",), _CLASSES):
        class_globs[FileClass(name)] = _globs(f, ("classes", name))

    rules: list[Rule] = []
    seen: set[str] = set()
    for i, _ in enumerate(f.items(("rules",))):
        rules.append(_rule(f, ("rules", i), groups, seen))

    f.mapping(("approvals",), ("key_types", "break_glass", "user_verification", "signed_only"))
    bg = f.optional_string(("approvals", "break_glass"))
    signed_only = f.strings(("approvals", "signed_only"), choices=_CLASSES)
    if bg is not None:
        _check_group(f, groups, ("approvals", "break_glass"), bg)

    return Policy(
        treat_unverified_as_agent=f.boolean(("treat_unverified_as_agent",), True),
        unregistered_mode=Mode(
            f.string(("unregistered_agents", "mode"), "supervised", choices=_MODES)
        ),
        unverified_mode=Mode(
            f.string(("unverified_commits", "mode"), "supervised", choices=_MODES)
        ),
        default_approval=default,
        auto_lane=lane,
        groups=groups,
        class_globs=class_globs,
        rules=tuple(rules),
        approvals=ApprovalSettings(
            key_types=f.strings(("approvals", "key_types")),
            break_glass=bg,
            user_verification=f.boolean(("approvals", "user_verification"), False),
            signed_only=tuple(FileClass(c) for c in signed_only),
        ),
        protected_branches=_globs(f, ("protected_branches",)) or ("main", "master", "release/*"),
        release=_release(f, groups),
        four_eyes=_four_eyes(f, groups),
        warnings=_lane_warnings(lane),
        digest=hashlib.sha256(text).hexdigest(),
        source=file,
        protected=protected,
        github_logins=logins,
    )


_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")


def _groups(f: Fields) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """Groups of people, and GitHub login -> person for members written `{id: P, github: L}`.

    A login may belong to one person only, and a person has one login: either ambiguity would
    let one account's review speak for someone else, so both are errors."""
    groups: dict[str, tuple[str, ...]] = {}
    logins: dict[str, str] = {}
    person_login: dict[str, str] = {}
    for name in f.mapping(("groups",), allowed=None):
        if isinstance(f.get(("groups", name)), str):  # one member, written as a plain string
            groups[name] = tuple(m.lower() for m in f.strings(("groups", name)))
            continue
        members = []
        for i, item in enumerate(f.items(("groups", name))):
            p = ("groups", name, i)
            if not isinstance(item, dict):
                members.append(f.string(p, required=True).lower())
                continue
            f.mapping(p, ("id", "github"), required=("id",))
            person = f.string((*p, "id"), required=True).lower()
            members.append(person)
            login = f.optional_string((*p, "github"))
            if login is None:
                continue
            if not _LOGIN.match(login):
                raise f.error((*p, "github"), f"{login!r} is not a GitHub login")
            key = login.lower()
            if logins.get(key, person) != person:
                raise f.error((*p, "github"), f"GitHub login {login!r} is already {logins[key]}'s")
            if person_login.get(person, key) != key:
                raise f.error(
                    (*p, "github"), f"{person} already has GitHub login {person_login[person]!r}"
                )
            logins[key] = person
            person_login[person] = key
        groups[name] = tuple(members)
    return groups, logins


def _rule(
    f: Fields, p: tuple[str | int, ...], groups: dict[str, tuple[str, ...]], seen: set[str]
) -> Rule:
    f.mapping(p, ("name", "description", "when", "require"), required=("name", "require"))
    name = f.string((*p, "name"), required=True)
    if name in seen:
        raise f.error((*p, "name"), f"duplicate rule name {name!r}")
    seen.add(name)
    w = (*p, "when")
    f.mapping(w, ("classes", "facts", "paths", "agents", "branches"))
    when = When(
        classes=tuple(FileClass(c) for c in f.strings((*w, "classes"), choices=_CLASSES)),
        facts=_facts(f, (*w, "facts")),
        paths=_globs(f, (*w, "paths")),
        agents=f.strings((*w, "agents")),
        branches=_globs(f, (*w, "branches")),
    )
    r = (*p, "require")
    req = f.get(r)
    if req == "deny":
        return Rule(name, when, True, description=_desc(f, p), line=f.doc.where(p)[0])
    if not isinstance(req, dict):
        raise f.error(r, "expected `deny` or a mapping {approvals: N, from: GROUP}")
    f.mapping(r, ("approvals", "from"), required=("approvals", "from"))
    group = f.string((*r, "from"), required=True)
    _check_group(f, groups, (*r, "from"), group)
    return Rule(
        name,
        when,
        False,
        approvals=f.integer((*r, "approvals"), 1, minimum=1),
        group=group,
        description=_desc(f, p),
        line=f.doc.where(p)[0],
    )


def _auto_lane(f: Fields) -> AutoLane:
    """The lane; a high or critical class in it must also be named in `allow_risky_lane`."""
    keys = f.mapping(("auto_lane",), ("classes", "facts"))
    named = f.strings(("auto_lane", "classes"), choices=_CLASSES)
    classes = tuple(FileClass(c) for c in named) if "classes" in keys else AutoLane().classes
    risky = tuple(FileClass(c) for c in f.strings(("allow_risky_lane",), choices=_CLASSES))
    for i, c in enumerate(classes):
        if RISK[c] >= Risk.HIGH and c not in risky:
            raise f.error(
                ("auto_lane", "classes", i),
                f"{c} is a {RISK[c]}-risk class: in the auto lane, `limited` agents change it "
                f"with no approval. To mean it, also list it under `allow_risky_lane`",
            )
    for i, c in enumerate(risky):
        if c not in classes:
            raise f.error(("allow_risky_lane", i), f"{c} is not in auto_lane.classes")
    return AutoLane(classes, _facts(f, ("auto_lane", "facts")), risky)


def _lane_warnings(lane: AutoLane) -> tuple[str, ...]:
    if not lane.risky:
        return ()
    names = ", ".join(lane.risky)
    return (
        f"the policy puts high-risk classes in the auto lane (allow_risky_lane: {names}): "
        "`limited` agents change them with no approval",
    )


def _four_eyes(f: Fields, groups: dict[str, tuple[str, ...]]) -> FourEyes | None:
    """`four_eyes: {approvals: N, from: GROUP, classes: [...]}` (classes: governance)."""
    if f.mapping((), _TOP).get("four_eyes") is None:
        return None
    keys = f.mapping(
        ("four_eyes",), ("approvals", "from", "classes"), required=("approvals", "from")
    )
    group = f.string(("four_eyes", "from"), required=True)
    _check_group(f, groups, ("four_eyes", "from"), group)
    classes = f.strings(("four_eyes", "classes"), choices=_CLASSES)
    return FourEyes(
        approvals=f.integer(("four_eyes", "approvals"), 1, minimum=1),
        group=group,
        classes=tuple(FileClass(c) for c in classes)
        if "classes" in keys
        else FourEyes(1, "").classes,
    )


def _release(f: Fields, groups: dict[str, tuple[str, ...]]) -> ReleaseSettings:
    """The `release:` section; an explicit `from` must name a defined group."""
    keys = f.mapping(("release",), _RELEASE_KEYS)
    d = ReleaseSettings()
    group = f.string(("release", "from"), d.group)
    if "from" in keys:
        _check_group(f, groups, ("release", "from"), group)
    classes = f.strings(("release", "classes"), choices=_CLASSES)
    return ReleaseSettings(
        approvals=f.integer(("release", "approvals"), d.approvals, minimum=1),
        group=group,
        classes=tuple(FileClass(c) for c in classes) if "classes" in keys else d.classes,
        all_changes=f.boolean(("release", "all_changes"), d.all_changes),
        trusted_builders=f.strings(("release", "trusted_builders")),
        trusted_signers=f.strings(("release", "trusted_signers")),
        allow_lightweight_tags=f.boolean(("release", "allow_lightweight_tags"), False),
        require_signed_tags=f.boolean(("release", "require_signed_tags"), False),
        require_verified_builders=f.boolean(("release", "require_verified_builders"), False),
    )


def _desc(f: Fields, p: tuple[str | int, ...]) -> str:
    return f.optional_string((*p, "description")) or ""


def _check_group(
    f: Fields, groups: dict[str, tuple[str, ...]], path: tuple[str | int, ...], name: str
) -> None:
    if name not in groups:
        raise f.error(path, f"group {name!r} is not defined under `groups`")


def _globs(f: Fields, path: tuple[str | int, ...]) -> tuple[str, ...]:
    from signoff.patterns.globs import compile_glob

    out = f.strings(path)
    for i, pattern in enumerate(out):
        try:
            compile_glob(pattern)
        except ValueError as exc:
            raise f.error((*path, i), f"bad glob: {exc}") from None
    return out


def _facts(f: Fields, path: tuple[str | int, ...]) -> tuple[str, ...]:
    from signoff.analysis import KNOWN_FACTS

    return f.strings(path, choices=sorted(KNOWN_FACTS))


def fail_closed_policy(reason: str) -> Policy:
    """The policy in force when none can be read: every agent change needs approval."""
    return Policy(
        treat_unverified_as_agent=True,
        unregistered_mode=Mode.SUPERVISED,
        unverified_mode=Mode.SUPERVISED,
        default_approval=Requirement(1, DEFAULT_GROUP, "fail-closed-default"),
        auto_lane=AutoLane(classes=(), facts=()),
        groups={},
        class_globs={},
        rules=(),
        approvals=ApprovalSettings(),
        protected_branches=("main", "master", "release/*"),
        digest=hashlib.sha256(b"signoff:fail-closed-default:v1").hexdigest(),
        source="<built-in fail-closed default>",
        protected=True,
        fail_closed_reason=reason,
    )
