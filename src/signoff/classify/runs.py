"""Files a CI pipeline runs: a file a workflow executes acts with that workflow's credentials.

A script's name and content can say *source* (`scripts/sweep.ts`) while a workflow runs it with
its token; a build script a release workflow runs makes what the release ships. So a file that a
pipeline runs takes at least the pipeline's class (docs/classes.md, "Files a pipeline runs"):

- a pipeline is a GitHub Actions workflow (`.github/workflows/*.yml`) or an action definition
  (`action.yml`); its class is the riskier of its path's class and what its content shows
  (`signoff.classify.content`: a workflow with a publishing step is `signing-publishing`);
  a local workflow or action it calls (`uses: ./…`) takes at least its caller's class;
- a file it runs is named in it as a command (`./scripts/x.sh`, `script/test`), after a runner
  (`bash x`, `python tools/x.py`, `python -m tools.x`, `bun run scripts/x.ts`, `source x`), or by
  a script extension (`node .github/scripts/x.mjs`, `require('./x.js')`); relative paths are read
  from the repository root and from every folder the pipeline changes to (`working-directory`,
  `cd`, `--cwd`, `--prefix`, `-C`), which can only name more files, never fewer;
- a package script a pipeline runs (`npm run build`, `yarn release`, `npm publish` and its
  lifecycle scripts, `pre`/`post` scripts) runs what its command names, in that folder's
  `package.json` (followed through scripts that run scripts, up to `MAX_DEPTH`);
- such a file is at least `ci-workflow` (high), and `signing-publishing` when the pipeline that
  runs it is `signing-publishing`.

Pure string work over texts the caller read (`signoff.gate.workflows` reads them from the base
ref, and from the head for the pipelines and manifests a change lands: those can only add). A
`package.json` that does not parse fails closed: every path its text names counts for every
package script run in its folder. Names built at run time (`$SCRIPT`, `${{ matrix.x }}`) are not
followed.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import NamedTuple

from signoff.classify import classify_path
from signoff.classify.content import classify_content
from signoff.classify.shell_words import (
    calls,
    components,
    folders,
    named,
    norm,
    package_runs,
    runs_module,
    units,
)
from signoff.taxonomy import RISK, FileClass, riskier

__all__ = [
    "MAX_DEPTH",
    "RunBy",
    "RunIndex",
    "Source",
    "index_runs",
    "is_pipeline",
    "is_run_source",
    "needed",
]

#: Package scripts followed through scripts that run scripts at most this deep.
MAX_DEPTH = 8


class Source(NamedTuple):
    """A pipeline or package manifest as read at one side (`base` or `head`)."""

    path: str
    text: str
    side: str


class RunBy(NamedTuple):
    """The class a file takes because a pipeline runs it, and which pipeline."""

    file_class: FileClass
    why: str


def is_pipeline(path: str) -> bool:
    """A GitHub Actions workflow or an action definition."""
    name = path.rsplit("/", 1)[-1]
    if path.startswith(".github/workflows/"):
        return name.endswith((".yml", ".yaml"))
    return name in ("action.yml", "action.yaml")


def is_run_source(path: str) -> bool:
    """A file this module reads: a pipeline or a package manifest."""
    return is_pipeline(path) or path.rsplit("/", 1)[-1] == "package.json"


class _Package(NamedTuple):
    scripts: dict[str, list[str]]  #: name -> its commands (base and head)
    unparsed: list[str]  #: texts that did not parse: every path they name counts


def _packages(sources: Iterable[Source]) -> dict[str, _Package]:
    out: dict[str, _Package] = {}
    for s in sources:
        if s.path.rsplit("/", 1)[-1] != "package.json":
            continue
        folder = s.path.rsplit("/", 1)[0] if "/" in s.path else ""
        pkg = out.setdefault(folder, _Package({}, []))
        try:
            doc = json.loads(s.text)
            scripts = doc.get("scripts", {}) if isinstance(doc, dict) else {}
        except ValueError:
            pkg.unparsed.append(s.text)
            continue
        if not isinstance(scripts, dict):
            pkg.unparsed.append(s.text)
            continue
        for name, cmd in scripts.items():
            pkg.scripts.setdefault(str(name), []).append(str(cmd))
    return out


def needed(sources: Iterable[Source]) -> set[str]:
    """Paths the pipelines among `sources` call that a reader should add: the package manifest
    of each folder they run package scripts in, and the local actions and workflows they use."""
    out: set[str] = set()
    for s in sources:
        if is_pipeline(s.path):
            if package_runs(s.text):
                out.update(posixpath.join(d, "package.json") for d in folders(s.text))
            out |= calls(s.text)
    return out


def _floor(cls: FileClass) -> FileClass:
    """A pipeline's class as a floor for what it runs: critical is publishing, else CI."""
    return FileClass.SIGNING_PUBLISHING if RISK[cls] > RISK[FileClass.CI_WORKFLOW] else cls


class _Unit(NamedTuple):
    source: Source
    header: str  #: the workflow's top-level keys ("" for a pipeline read whole)
    body: str  #: one job (or the whole pipeline)

    def named(self) -> frozenset[str]:
        return named(self.header) | named(self.body)

    def folders(self) -> frozenset[str]:
        return folders(self.header) | folders(self.body)

    def package_runs(self) -> frozenset[str]:
        return package_runs(self.header) | package_runs(self.body)

    def calls(self) -> frozenset[str]:
        return calls(self.header) | calls(self.body)

    def mentions(self, names: frozenset[str]) -> bool:
        """Whether the unit's words hold any of the file `names` (or a module it runs)."""
        return bool(components(self.header) & names or components(self.body) & names) or (
            runs_module(self.header) or runs_module(self.body)
        )

    @property
    def own(self) -> FileClass:
        return _pipeline_class(self.source)


@lru_cache(maxsize=1024)
def _pipeline_class(s: Source) -> FileClass:
    """The pipeline's class: its name's, or `signing-publishing` when any job has a publishing
    step. Jobs of a publishing workflow build, test and gate what it ships (artifacts, caches,
    `needs:`), so none of them is judged apart."""
    cls = _floor(classify_path(s.path).file_class)
    shown, why = classify_content(
        s.path, FileClass.CI_WORKFLOW, s.text.encode("utf-8", "surrogateescape")
    )
    return riskier(cls, _floor(shown)) if why else cls


def _units(pipelines: list[Source]) -> list[_Unit]:
    return [_Unit(s, head, body) for s in pipelines for head, body in units(s.path, s.text)]


def _inherited(all_units: list[_Unit]) -> dict[str, tuple[FileClass, str]]:
    """The class each local workflow or action takes from the riskiest job that uses it
    (`uses: ./…`), followed through calls of calls; and which pipeline gave it."""
    given: dict[str, tuple[FileClass, str]] = {}
    edges = [(u, targets) for u in all_units if (targets := u.calls())]
    for _ in range(len(all_units)):  # a call chain is at most as long as there are units
        changed = False
        for u, targets in edges:
            cls, by = u.own, f"`{u.source.path}` ({u.source.side})"
            if u.source.path in given and riskier(given[u.source.path][0], cls) is not cls:
                cls, by = given[u.source.path]
            for t in sorted(targets):
                have = given.get(t)
                if have is None or riskier(cls, have[0]) is not have[0]:
                    given[t] = (cls, by)
                    changed = True
        if not changed:
            break
    return given


class RunIndex:
    """Which files the pipelines run, and at what class (`floor`)."""

    __slots__ = ("_runs",)

    def __init__(self, runs: Mapping[str, RunBy]) -> None:
        self._runs = dict(runs)

    def __len__(self) -> int:
        return len(self._runs)

    def floor(self, paths: Iterable[str]) -> RunBy | None:
        """The riskiest class the pipelines give any of `paths` (a file, its old path, the
        link paths it is read at); None when no pipeline runs any of them."""
        best: RunBy | None = None
        for p in paths:
            got = self._runs.get(p)
            if got is not None and (best is None or riskier(got.file_class, best.file_class)
                                    is not best.file_class):  # fmt: skip
                best = got
        return best


EMPTY = RunIndex({})


def index_runs(sources: Iterable[Source], names: Iterable[str] | None = None) -> RunIndex:
    """The files the pipelines among `sources` run, each at the riskiest class that runs it.
    With `names` (file names: the last path component), only the jobs whose words hold one of
    them are read for files they name; what `floor` says for paths with those names is the same
    as without (the full index is the reference the tests compare against)."""
    sources = list(sources)
    pipelines = [s for s in sources if is_pipeline(s.path)]
    if not pipelines:
        return EMPTY
    packages = _packages(sources)
    all_units = _units(pipelines)
    given = _inherited(all_units)
    runs: dict[str, RunBy] = {}

    def add(path: str, cls: FileClass, why: str) -> None:
        have = runs.get(path)
        if have is None or riskier(cls, have.file_class) is not have.file_class:
            runs[path] = RunBy(cls, why)

    for path, (cls, by) in given.items():
        add(path, riskier(cls, FileClass.CI_WORKFLOW), f"used by {by}")
    wanted = None if names is None else frozenset(names)
    # Package scripts are followed only when a manifest names one of the files (or fails).
    follow = wanted is None or any(
        pkg.unparsed or any(components(c) & wanted for cs in pkg.scripts.values() for c in cs)
        for pkg in packages.values()
    )
    for u in all_units:
        hit = wanted is None or u.mentions(wanted)
        scripts = u.package_runs() if follow else frozenset()
        if not hit and not scripts:
            continue
        found: list[tuple[str, str]] = []  # (path, how), the unit's class decided after
        dirs = u.folders()
        for word in u.named() if hit else ():
            found += [(p, "") for d in dirs if (p := norm(d, word)) is not None]
        for d in dirs:
            for path, via in _through_packages(packages, d, scripts):
                found.append((path, f" through the package script `{via}`"))
        if wanted is not None:
            found = [(p, how) for p, how in found if p.rsplit("/", 1)[-1] in wanted]
        if not found:
            continue
        cls, by = u.own, f"`{u.source.path}` ({u.source.side})"
        if u.source.path in given and riskier(given[u.source.path][0], cls) is not cls:
            cls, by = given[u.source.path]
        cls = riskier(cls, FileClass.CI_WORKFLOW)
        for p, how in found:
            add(p, cls, f"run by {by}{how}")
    return RunIndex(runs)


def _through_packages(
    packages: Mapping[str, _Package], folder: str, names: frozenset[str]
) -> Iterable[tuple[str, str]]:
    """(path, script name) for each file the package scripts `names` of `folder` run."""
    pkg = packages.get(folder)
    if pkg is None or not names:
        return
    seen: set[str] = set()
    frontier = sorted(names)
    for _ in range(MAX_DEPTH):
        nxt: set[str] = set()
        for name in frontier:
            if name in seen:
                continue
            seen.add(name)
            commands = [*pkg.scripts.get(name, ()), *pkg.unparsed]
            for cmd in commands:
                for word in named(cmd):
                    for d in folders(cmd):
                        if p := norm(posixpath.join(folder, d) if d else folder, word):
                            yield p, name
                nxt |= package_runs(cmd) - seen
        if not nxt:
            return
        frontier = sorted(nxt)
