"""The gate's per-file work: class, facts from the analyzers, and the policy's verdict.

Two phases: `prepare` (what each landed file is, before the range's commits are known) and
`decide` (each file under the policy, with the commits that touched it). Imported by
`signoff.gate.check` only once `git log` is running, so loading the classifiers, analyzers and
policy evaluator overlaps git's walk of the range.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from signoff.analysis import analyze_file, wants_content, warm_up
from signoff.analysis.ownership import read_as
from signoff.attribution.attribute import (
    Actor,
    Attribution,
    AttributionKind,
    Evidence,
    EvidenceType,
    Profile,
    attribution,
)
from signoff.changes import NULL_SHA, FileChange, Status
from signoff.classify import content as classify_content
from signoff.classify.change import classify_change
from signoff.classify.runs import EMPTY, RunIndex, Source, index_runs, is_run_source
from signoff.decision import FileDecision
from signoff.facts import Fact
from signoff.gate.large_files import large_facts, too_large
from signoff.gate.links import aliases, tree_links
from signoff.gate.range import Carriers, RangeRead, attributions_of, carriers
from signoff.gate.workflows import complete, head_sources
from signoff.gitio import history
from signoff.gitio.runner import Git
from signoff.policy.evaluate import FileInput, evaluate_file
from signoff.policy.model import Policy
from signoff.taxonomy import FileClass, Kind, Risk

#: Content larger than this is not read (its size is checked first); the file is reported as
#: unanalyzable (high risk).
MAX_ANALYZED_BYTES = 8 << 20


#: Content that lands although no commit in the range touched its path (a merge resolution can
#: hide it): nobody vouches for it, so it is handled as unregistered agent work, whatever
#: `treat_unverified_as_agent` says.
UNEXPLAINED = attribution(
    "",
    AttributionKind.AGENT,
    (Actor("unregistered:unexplained-content", Kind.AI_AGENT, None),),
    (
        Evidence(
            EvidenceType.ASSERTED,
            "merge",
            "unregistered:unexplained-content",
            "lands although no commit in the range touched it",
        ),
    ),
)


class Prepared:
    """What a landed file is, before the range's commits are known: class and facts."""

    __slots__ = ("adjustments", "change", "facts", "file_class", "risk")

    def __init__(
        self,
        change: FileChange,
        contents: dict[str, bytes | None],
        policy: Policy,
        large: Mapping[str, int] | None = None,
        git: Git | None = None,
        linked: tuple[str, ...] = (),
        runs: RunIndex = EMPTY,
    ):
        link_target = None
        if change.is_symlink and change.new_mode == "120000":
            raw = contents.get(change.new_blob)
            link_target = raw.decode("utf-8", "surrogateescape") if raw is not None else None
        # The content a change lands can raise its class (a workflow that publishes, a script
        # that tags): one place, `classify_change`, over what `_read_contents` already read.
        landed = None
        if not (change.binary or change.is_submodule or change.is_symlink):
            landed = contents.get(change.new_blob) if change.new_blob != NULL_SHA else None
        fmt = read_as(change.path) if change.new_blob != NULL_SHA else None
        cls = classify_change(
            change,
            policy.class_globs,
            symlink_target=link_target,
            content=landed,
            aliases=linked,
            read_as=(FileClass(fmt[0]), fmt[1]) if fmt else None,
            run_by=runs.floor((change.path, change.old_path, *linked)) if runs else None,
        )
        self.change = change
        self.file_class: FileClass = cls.file_class
        self.risk: Risk = cls.risk
        self.adjustments = cls.adjustments
        self.facts = tuple(_facts(change, contents, large or {}, git))

    def decide(
        self, attrs: tuple[Attribution, ...], policy: Policy, today: dt.date, target: str | None
    ) -> FileDecision:
        fi = FileInput(self.change, self.file_class, self.risk, self.facts, attrs, self.adjustments)
        return evaluate_file(fi, policy, today, target)


def prepare(
    git: Git,
    landed: list[FileChange],
    policy: Policy,
    tree: str | None = None,
    pipelines: list[Source] | None = None,
) -> list[Prepared]:
    """Classify and analyze every landed file (one `cat-file --batch-check` for the sizes, one
    `cat-file --batch` for the contents; with the landed `tree`, one `ls-tree` for its links).
    `pipelines`, read from the base ref (`signoff.gate.workflows.base_sources`), say which files
    CI runs; the pipelines and manifests the change lands are added to them (only raising)."""
    contents, large = _read_contents(git, landed)
    links = tree_links(git, tree) if tree is not None and landed else {}
    seen = aliases(links, [c.path for c in landed if c.new_blob != NULL_SHA]) if links else {}
    runs = EMPTY
    if pipelines is not None and landed:
        sources = pipelines + head_sources(landed, contents)
        if tree is not None:
            sources = complete(git, tree, sources, "head")
        paths = [(c.path, c.old_path, *seen.get(c.path, ())) for c in landed]
        runs = index_runs(sources, {p.rsplit("/", 1)[-1] for ps in paths for p in ps})
    return [
        Prepared(change, contents, policy, large, git, seen.get(change.path, ()), runs)
        for change in landed
    ]


def decide(
    prepared: Iterable[Prepared],
    read: RangeRead,
    policy: Policy,
    today: dt.date,
    target: str | None,
    head: str,
) -> list[FileDecision]:
    """Each prepared file under the policy, with the attributions of the commits touching it
    and of those that carried it on to the head (`signoff.gate.range.Carriers`)."""
    unexplained = UNEXPLAINED._replace(sha=head)
    touched, attributions = read.touched, read.attributions
    carried = carriers(read)
    out = []
    for p in prepared:
        attrs = attributions_of(p.change, touched, attributions, unexplained)
        attrs, brought = _with_carriers(attrs, carried)
        f = p.decide(attrs, policy, today, target)
        out.append(f._replace(brought_by=brought) if brought else f)
    return out


def _with_carriers(
    attrs: tuple[Attribution, ...], carried: Carriers
) -> tuple[tuple[Attribution, ...], tuple[str, ...]]:
    """The file's attributions with the profile of every commit that carried a verified
    person's change of it added once, and the commits that brought it (nearest carriers that did
    not touch it themselves). An agent's, a bot's or an unverified change is judged as theirs
    already."""
    shas = {a.sha for a in attrs}
    profiles: set[Profile] = set()
    brought: set[str] = set()
    for a in attrs:
        if a.kind is AttributionKind.HUMAN:
            profiles.update(carried.credited.get(a.sha, ()))
            brought.update(carried.brought_by.get(a.sha, ()))
    if not profiles:
        return attrs, ()
    have = {a.profile for a in attrs}
    extra = tuple(carried.example[pr] for pr in profiles - have)
    return attrs + tuple(sorted(extra, key=lambda a: a.sha)), tuple(sorted(brought - shas))


def with_facts(
    prepared: list[Prepared], facts: Iterable[Fact]
) -> tuple[list[Prepared], tuple[str, ...]]:
    """The prepared files with `facts` added to the file at each fact's path (its new path),
    and the messages of the facts about paths that do not land (the decision's warnings)."""
    by_path = {p.change.new_path: p for p in prepared if p.change.new_blob != NULL_SHA}
    unlanded: list[str] = []
    for fact in facts:
        target = by_path.get(fact.path)
        if target is None:
            unlanded.append(f"{fact.message} (this path does not land)")
        else:
            target.facts = (*target.facts, fact)
    return prepared, tuple(unlanded)


def _facts(
    change: FileChange,
    contents: dict[str, bytes | None],
    large: Mapping[str, int],
    git: Git | None,
) -> list[Fact]:
    if change.binary or change.is_submodule or change.is_symlink:
        return []
    old_path = change.old_path if change.status is not Status.ADDED else None
    if not _reads(change, old_path):
        return []
    if change.old_blob in large or change.new_blob in large:
        if git is None:
            size = max(large.get(change.old_blob, 0), large.get(change.new_blob, 0))
            return [too_large(change.path, size)]
        return large_facts(git, change, large)
    old = contents.get(change.old_blob) if change.old_blob != NULL_SHA else None
    new = contents.get(change.new_blob) if change.new_blob != NULL_SHA else None
    return analyze_file(
        change.path, old, new, old_path=change.old_path if change.is_rename else None
    )


def _read_contents(
    git: Git, landed: Iterable[FileChange]
) -> tuple[dict[str, bytes | None], dict[str, int]]:
    wanted: list[str] = []
    landing: set[str] = set()
    for ch in landed:
        if ch.is_submodule or ch.binary:
            continue
        if ch.is_symlink or _reads(ch, ch.old_path) or is_run_source(ch.path):
            wanted += [b for b in (ch.old_blob, ch.new_blob) if b and b != NULL_SHA]
            landing.add(ch.new_blob)

    def on_sizes(sizes: Mapping[str, int]) -> None:
        _warm_up(sum(size for blob, size in sizes.items() if blob in landing))

    return history.read_objects_upto(git, wanted, MAX_ANALYZED_BYTES, on_sizes=on_sizes)


def _warm_up(ahead: int) -> None:
    """The regex engines compile in the background while the contents are read, when that much
    text pays for them. Only the landing side counts: the secrets scan reads no more than the
    new side's lines, and the script rules read only what lands (a small change to a large file
    is no reason to compile)."""
    warm_up(ahead)
    classify_content.warm_up(ahead)


def _reads(change: FileChange, old_path: str | None) -> bool:
    """Whether the file's content is read: when git's own look at the content found text
    (`binary` is False: a key in a text file named x.png is scanned), or when its name does not
    mark it binary (`signoff.analysis.wants_content`)."""
    return change.binary is False or wants_content(change.path, old_path)
