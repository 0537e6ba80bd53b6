"""What a pipeline's text names: the files it runs, the folders it changes to, the package
scripts it runs and the local workflows and actions it uses (`signoff.classify.runs` says what
follows from them; docs/classes.md, "Files a pipeline runs").

Plain string and regular-expression work over a workflow's lines, no YAML parse: a workflow
that does not parse is read alike, and reading every job line by line costs far less than a
parse. Each reader is cached by text (jobs share their workflow's header; package scripts
repeat).
"""

from __future__ import annotations

import posixpath
import re
from functools import lru_cache

__all__ = [
    "calls",
    "components",
    "folders",
    "named",
    "norm",
    "package_runs",
    "runs_module",
    "units",
]

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
_W = r"[^\s'\"`;&|<>(){}\[\],=:]"  # a character of a shell word, as read here
#: Words that can name a file that runs: with a `/`, or with a script extension.
_CANDIDATE = re.compile(
    rf"(?<!{_W})(?:{_W}*/{_W}*|{_W}+\.(?:" + "|".join(e[1:] for e in _RUN_EXT) + rf"))(?!{_W})",
    re.IGNORECASE,
)
_NOT_W = re.compile(r"[\s'\"`;&|<>(){}\[\],=:]")
#: Path components as words (a file's name, as `mentions` looks for it).
_COMPONENT = re.compile(r"[^\s'\"`;&|<>(){}\[\],=:/]+")
_SKIPPED = " \t'\"<>[],=:"
_MODULE = re.compile(r"\b(?:python[\d.]*|py)(?:\s+-[A-Za-z]+)*\s+-m\s+([A-Za-z_][\w.]*)")
_WORKSPACE = re.compile(r"\$\{\{\s*github\.workspace\s*\}\}/|\$\{?GITHUB_WORKSPACE\}?/")
_DIRS = re.compile(
    r"(?:\bworking-directory\s*:|\bcd\b|--cwd\b|--prefix\b|--dir\b|(?<=\s)-C\b)[\s=]*['\"]?"
    r"([^\s'\";&|)#]+)"
)
_FOLDER_WORDS = ("working-directory", "cd", "--cwd", "--prefix", "--dir", "-C")
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


def norm(folder: str, word: str) -> str | None:
    if not word or word.startswith(("/", "~", "-")) or "$" in word or "\\" in word:
        return None
    joined = (
        posixpath.normpath(posixpath.join(folder, word)) if folder else posixpath.normpath(word)
    )
    if joined.startswith("../") or joined in ("..", "."):
        return None
    return joined


@lru_cache(maxsize=4096)
def runs_module(text: str) -> bool:
    """Whether the text runs a Python module (`python -m tools.x`): its file is not a word."""
    return "-m" in text and _MODULE.search(text) is not None


@lru_cache(maxsize=4096)
def components(text: str) -> frozenset[str]:
    """Every path component the text holds as a word (a sentence's full stop dropped)."""
    found = _COMPONENT.findall(text)
    return frozenset(found) | {w.rstrip(".") for w in found if w.endswith(".")}


@lru_cache(maxsize=4096)
def folders(text: str) -> frozenset[str]:
    """The repository root and every folder the text changes to."""
    out = {""}
    if not any(k in text for k in _FOLDER_WORDS):
        return frozenset(out)
    for m in _DIRS.finditer(text):
        d = norm("", m.group(1).rstrip("/"))
        if d is not None:
            out.add(d)
    return frozenset(out)


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


@lru_cache(maxsize=4096)
def named(text: str) -> frozenset[str]:
    """Relative paths of the files the text runs (see the module docstring), unresolved."""
    out: set[str] = set()
    text = _WORKSPACE.sub("./", text)
    for m in _CANDIDATE.finditer(text):
        word = m.group(0)
        before = text[text.rfind("\n", 0, m.start()) + 1 : m.start()].rstrip(_SKIPPED)
        at_start = not before or before[-1] in _SEPARATORS
        prev = "" if at_start else _NOT_W.split(before)[-1].lower()
        if _runnable(word, prev):
            out.add(_LEADING_DOTS.sub("", word).rstrip(".") if word.startswith("./") else word)
    for m in _MODULE.finditer(text):
        mod = m.group(1).replace(".", "/")
        out.update((f"{mod}.py", f"{mod}/__main__.py"))
    return frozenset(out)


@lru_cache(maxsize=4096)
def package_runs(text: str) -> frozenset[str]:
    """Package scripts the text runs (`npm run x`, `yarn x`, `npm publish`'s lifecycle)."""
    names: set[str] = set()
    if not any(pm in text for pm in ("npm", "yarn", "bun")):  # pnpm holds npm
        return frozenset()
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
    return frozenset(names | {f"{p}{n}" for n in names for p in ("pre", "post")})


_JOBS = re.compile(r"^jobs\s*:\s*(?:#.*)?$", re.MULTILINE)
_KEY_LINE = re.compile(r"^( +)['\"]?[\w-]+['\"]?\s*:")


def units(path: str, text: str) -> list[tuple[str, str]]:
    """A workflow cut into its jobs, each with the workflow's top-level keys (its `env`,
    `defaults`), so that a job's folders (`working-directory`, `cd`) name files for that job
    only; an action definition, or a workflow whose jobs cannot be told apart line by line, is
    one unit (every folder it names counts for every file it names: more, never fewer)."""
    m = _JOBS.search(text) if path.startswith(".github/workflows/") else None
    if m is None:
        return [("", text)]
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
            return [("", text)]  # indented text after a later top-level key: unusual
        km = _KEY_LINE.match(line)
        if indent is None and km:
            indent = len(km.group(1))
        if km and len(km.group(1)) == indent:
            jobs.append([line])
        elif jobs:
            jobs[-1].append(line)
        else:
            return [("", text)]
    if not jobs:
        return [("", text)]
    head = header + "\n".join(tail) + "\n"
    return [(head, "\n".join(job) + "\n") for job in jobs]


@lru_cache(maxsize=4096)
def calls(text: str) -> frozenset[str]:
    """The local workflows and action definitions a pipeline uses (`uses: ./…`)."""
    out: set[str] = set()
    if "./" not in text:
        return frozenset()
    for m in _USES_LOCAL.finditer(text):
        target = norm("", m.group(1).rstrip("/"))
        if target is None:
            continue
        if target.endswith((".yml", ".yaml")):
            out.add(target)
        else:
            out.update((f"{target}/action.yml", f"{target}/action.yaml"))
    return frozenset(out)
