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
import re
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from signoff.classify import classify_path
from signoff.classify.content import classify_content
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


_RUN_EXT = (".sh", ".bash", ".zsh", ".fish", ".ps1", ".psm1", ".bat", ".cmd", ".nu", ".py",
            ".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".tsx", ".rb", ".pl", ".php",
            ".lua", ".swift", ".kts", ".groovy", ".go")  # fmt: skip
_SCRIPT_DIRS = ("script/", "scripts/", "bin/", "tools/", "hack/", ".github/scripts/")
#: Words after which the next path-like word is a file the command runs.
_RUNNERS = frozenset(
    {"bash", "sh", "zsh", "dash", "ksh", "fish", "pwsh", "powershell", "python", "python2",
     "python3", "py", "node", "nodejs", "deno", "bun", "tsx", "ts-node", "esno", "ruby", "perl",
     "php", "lua", "source", ".", "exec", "run", "-file", "swift", "groovy",
     "xargs", "sudo", "time", "nice", "env", "uv", "poetry", "pipenv", "hatch", "pdm", "-c",
     "timeout", "npx", "bunx", "then", "do", "else", "call", "start", "script", "command",
     "entrypoint"}
)  # fmt: skip
#: Where a command's first word goes: the start of a line or command, or after a runner.
_COMMAND_AT = _RUNNERS | {""}
_LEADING_DOTS = re.compile(r"^(?:\.{1,2}/)+")
_SEPARATORS = frozenset(";&|(){}`")
_TOKEN = re.compile(r"[;&|(){}`]|[^\s'\"`;&|<>(){}\[\],=:]+")
_WORKSPACE = re.compile(r"\$\{\{\s*github\.workspace\s*\}\}/|\$\{?GITHUB_WORKSPACE\}?/")
_DIRS = re.compile(
    r"(?:\bworking-directory\s*:|\bcd\b|--cwd\b|--prefix\b|--dir\b|(?<=\s)-C\b)[\s=]*['\"]?"
    r"([^\s'\";&|)#]+)"
)
_USES_LOCAL = re.compile(r"\buses\s*:\s*['\"]?\./([^\s'\"@#]+)")
_PM = re.compile(r"(?<![\w./@-])(npm|pnpm|yarn|bun)\b(?![.\w-])([^\n;&|)]*)")
_PM_VALUE_OPTS = frozenset({"--cwd", "--prefix", "-C", "--filter", "-F", "--workspace", "--dir"})
_LIFECYCLE = {
    "publish": ("prepublishOnly", "prepack", "prepare", "postpack", "publish", "postpublish"),
    "pack": ("prepack", "prepare", "postpack"),
    "version": ("preversion", "version", "postversion"),
    "install": ("preinstall", "install", "postinstall", "prepare"),
    "test": ("pretest", "test", "posttest"),
    "start": ("prestart", "start", "poststart"),
}
_ALIASES = {"i": "install", "ci": "install", "add": "install", "t": "test", "tst": "test"}
_NOT_SCRIPTS = frozenset(
    {"exec", "dlx", "x", "create", "init", "why", "outdated", "audit", "config", "link",
     "remove", "rm", "uninstall", "update", "upgrade"}
)  # fmt: skip


def is_pipeline(path: str) -> bool:
    """A GitHub Actions workflow or an action definition."""
    name = path.rsplit("/", 1)[-1]
    if path.startswith(".github/workflows/"):
        return name.endswith((".yml", ".yaml"))
    return name in ("action.yml", "action.yaml")


def is_run_source(path: str) -> bool:
    """A file this module reads: a pipeline or a package manifest."""
    return is_pipeline(path) or path.rsplit("/", 1)[-1] == "package.json"


def _norm(folder: str, word: str) -> str | None:
    if not word or word.startswith(("/", "~", "-")) or "$" in word or "\\" in word:
        return None
    joined = (
        posixpath.normpath(posixpath.join(folder, word)) if folder else posixpath.normpath(word)
    )
    if joined.startswith("../") or joined in ("..", "."):
        return None
    return joined


def _folders(text: str) -> set[str]:
    """The repository root and every folder the text changes to."""
    out = {""}
    for m in _DIRS.finditer(text):
        d = _norm("", m.group(1).rstrip("/"))
        if d is not None:
            out.add(d)
    return out


def _runnable(word: str, prev: str) -> bool:
    """Whether `word`, after `prev` ("" at the start of a command), names a file that runs."""
    if "@" in word or "*" in word or "?" in word or not any(c.isalnum() for c in word):
        return False
    bare = _LEADING_DOTS.sub("", word).rstrip(".")
    name = bare.rsplit("/", 1)[-1]
    if "." in name.lstrip("."):
        if not name.lower().endswith(_RUN_EXT) or not any(c.isalpha() for c in name):
            return False  # data, docs, config: read, not run
        plain = True
    else:
        plain = False  # no extension: runs only where a command or a runner's file goes
    if word.startswith(("./", "../")) or bare.startswith(_SCRIPT_DIRS):
        return plain or prev in _COMMAND_AT or "/" in bare
    return prev in _COMMAND_AT and (plain or "/" in bare)


def _named(text: str) -> set[str]:
    """Relative paths of the files the text runs (see the module docstring), unresolved."""
    out: set[str] = set()
    for line in _WORKSPACE.sub("./", text).splitlines():
        prev = ""
        for m in _TOKEN.finditer(line):
            word = m.group(0)
            if word in _SEPARATORS:
                prev = ""
                continue
            if prev == "-m" and re.fullmatch(r"[A-Za-z_][\w.]*", word):
                mod = word.replace(".", "/")
                out.update((f"{mod}.py", f"{mod}/__main__.py"))
            elif _runnable(word, prev.lower()):
                out.add(_LEADING_DOTS.sub("", word).rstrip(".") if word.startswith("./") else word)
            prev = word
    return out


def _package_runs(text: str) -> set[str]:
    """Package scripts the text runs (`npm run x`, `yarn x`, `npm publish`'s lifecycle)."""
    names: set[str] = set()
    for m in _PM.finditer(text):
        tool, words = m.group(1), m.group(2).split()
        positional: list[str] = []
        skip = False
        for w in words:
            if skip:
                skip = False
            elif w.startswith("-"):
                skip = w in _PM_VALUE_OPTS
            else:
                positional.append(w.strip("'\""))
        if not positional:
            continue  # `cache: npm` runs nothing; a bare `yarn` install is not followed
        first = _ALIASES.get(positional[0], positional[0])
        if first in ("run", "run-script"):
            if len(positional) > 1 and not _runnable(positional[1], "run"):
                names.add(positional[1])
        elif first in _LIFECYCLE:
            names.update(_LIFECYCLE[first])
        elif tool != "npm" and first not in _NOT_SCRIPTS and not _runnable(first, ""):
            names.add(first)  # yarn, pnpm and bun run a package script by its bare name
    return names | {f"{p}{n}" for n in names for p in ("pre", "post")}


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
            if _package_runs(s.text):
                out.update(posixpath.join(d, "package.json") for d in _folders(s.text))
            out |= _calls(s.text)
    return out


def _floor(cls: FileClass) -> FileClass:
    """A pipeline's class as a floor for what it runs: critical is publishing, else CI."""
    return FileClass.SIGNING_PUBLISHING if RISK[cls] > RISK[FileClass.CI_WORKFLOW] else cls


_JOBS = re.compile(r"^jobs\s*:\s*(?:#.*)?$", re.MULTILINE)
_KEY_LINE = re.compile(r"^( +)['\"]?[\w-]+['\"]?\s*:")


def units(path: str, text: str) -> list[str]:
    """A workflow cut into its jobs, each with the workflow's top-level keys (its `env`,
    `defaults`), so that a job's folders (`working-directory`, `cd`) name files for that job
    only; an action definition, or a workflow whose jobs cannot be told apart line by line, is
    one unit (every folder it names counts for every file it names: more, never fewer)."""
    m = _JOBS.search(text) if path.startswith(".github/workflows/") else None
    if m is None:
        return [text]
    header, body = text[: m.start()], text[m.end() :]
    jobs: list[list[str]] = []
    indent = None
    tail: list[str] = []
    for line in body.splitlines():
        bare = line.strip()
        if not bare or bare.startswith("#"):
            (jobs[-1] if jobs else tail).append(line)
            continue
        if not line.startswith((" ", "\t")):
            tail.append(line)  # a top-level key after `jobs:`
            indent = -1
            continue
        if indent == -1:
            return [text]  # indented text after a later top-level key: not the usual shape
        km = _KEY_LINE.match(line)
        if indent is None and km:
            indent = len(km.group(1))
        if km and len(km.group(1)) == indent:
            jobs.append([line])
        elif jobs:
            jobs[-1].append(line)
        else:
            return [text]
    if not jobs:
        return [text]
    head = header + "\n".join(tail) + "\n"
    return [head + "\n".join(job) + "\n" for job in jobs]


def _calls(text: str) -> set[str]:
    """The local workflows and action definitions a pipeline uses (`uses: ./…`)."""
    out: set[str] = set()
    for m in _USES_LOCAL.finditer(text):
        target = _norm("", m.group(1).rstrip("/"))
        if target is None:
            continue
        if target.endswith((".yml", ".yaml")):
            out.add(target)
        else:
            out.update((f"{target}/action.yml", f"{target}/action.yaml"))
    return out


class _Unit(NamedTuple):
    source: Source
    own: FileClass  #: the pipeline's class (`_units`)
    text: str


def _units(pipelines: list[Source]) -> list[_Unit]:
    """Each pipeline's jobs, each at the pipeline's class: its name's, or `signing-publishing`
    when any job has a publishing step. Jobs of a publishing workflow build, test and gate what
    it ships (artifacts, caches, `needs:`), so none of them is judged apart."""
    out = []
    for s in pipelines:
        path_class = classify_path(s.path).file_class
        cls = _floor(path_class)
        shown, why = classify_content(
            s.path, FileClass.CI_WORKFLOW, s.text.encode("utf-8", "surrogateescape")
        )
        if why:
            cls = riskier(cls, _floor(shown))
        out += [_Unit(s, cls, u) for u in units(s.path, s.text)]
    return out


def _inherited(all_units: list[_Unit]) -> dict[str, tuple[FileClass, str]]:
    """The class each local workflow or action takes from the riskiest job that uses it
    (`uses: ./…`), followed through calls of calls; and which pipeline gave it."""
    given: dict[str, tuple[FileClass, str]] = {}
    calls = [(u, _calls(u.text)) for u in all_units]
    for _ in range(len(all_units)):  # a call chain is at most as long as there are units
        changed = False
        for u, targets in calls:
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


def index_runs(sources: Iterable[Source]) -> RunIndex:
    """The files the pipelines among `sources` run, each at the riskiest class that runs it."""
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
    for u in all_units:
        cls, by = u.own, f"`{u.source.path}` ({u.source.side})"
        if u.source.path in given and riskier(given[u.source.path][0], cls) is not cls:
            cls, by = given[u.source.path]
        cls = riskier(cls, FileClass.CI_WORKFLOW)
        folders = _folders(u.text)
        for word in _named(u.text):
            for d in folders:
                if (p := _norm(d, word)) is not None:
                    add(p, cls, f"run by {by}")
        for d in folders:
            for path, via in _through_packages(packages, d, _package_runs(u.text)):
                add(path, cls, f"run by {by} through the package script `{via}`")
    return RunIndex(runs)


def _through_packages(
    packages: Mapping[str, _Package], folder: str, names: set[str]
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
                for word in _named(cmd):
                    for d in _folders(cmd):
                        if p := _norm(posixpath.join(folder, d) if d else folder, word):
                            yield p, name
                nxt |= _package_runs(cmd) - seen
        if not nxt:
            return
        frontier = sorted(nxt)
