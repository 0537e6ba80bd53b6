"""Classes by content, where a name says too little: what a file *does* can only raise its class.

Path rules (`signoff.classify.REGISTRY`) decide first. These rules then read the file the change
lands (its new content) and raise the class when the content shows a riskier role:

- `ci-publishes`: a CI pipeline (any `ci-workflow` file) with a step that publishes, releases,
  signs, deploys or logs in to a registry (`npm publish`, `twine upload`, `docker push` or
  `docker/build-push-action` with `push: true`, `gh release create`, `goreleaser release`,
  `docker/login-action`, `cosign sign`, `wrangler deploy`, ...) is `signing-publishing`: it
  ships the product with CI's credentials. `id-token: write` alone, a "Publish Test Report"
  step, `goreleaser build --snapshot` or an image built with `load: true` publish nothing.
  A `ci-workflow` file that is no YAML (a script in `.github/scripts/`) is read by the script
  rules below too: one that tags or bumps versions is `signing-publishing`.
- `script-releases`: a script (a shell-family extension, a `#!` line, or a file in a `script/`,
  `scripts/`, `bin/` or `tools/` folder) that tags, bumps versions, publishes or signs is
  `signing-publishing` wherever it lives; one that deploys is `deployment`; one that installs git
  hooks is `repo-config`; one that handles a coding agent's hook events (names them, or reads
  what the agent hands its hooks: `tool_input`, `hook_event_name`, `CRUSH_TOOL_INPUT_…`) is
  `agent-instructions`. Makefiles and task runners stay `packaging-build`: release targets
  there are build tooling (docs/classes.md).
- `agent-front-matter`: a Markdown file whose front matter declares an agent, a command, a skill
  or a rule (`allowed-tools`, `tools`, `model`, `argument-hint`, `alwaysApply`, or `name` with
  `description` and none of a docs site's keys) is `agent-instructions`.
- `agent-config`: a data file (JSON, TOML, YAML, plist/XML) that configures a coding agent's
  tools or permissions (`mcpServers`, `mcp_servers`, `PreToolUse`, an MCP registry
  `server.json` schema, managed permission settings) is `agent-instructions`.

Each rule reads at most the first `LIMIT` bytes, as text; binary content is never read here (the
change is already at least `unknown`). Nothing here can lower a class: the caller takes the
riskier of the path's class and what the content shows.

The script rules run on every `.py`, `.js` or `.ts` file a change lands, so on long ranges a
multi-pattern engine first names the rules that may match (`signoff.classify._content_engine`,
a fenced module); `script_rule` with no engine answer is the plain path it is tested against.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from signoff.classify import _content_engine
from signoff.taxonomy import RISK, FileClass, Risk

__all__ = ["LIMIT", "classify_content", "script_rule", "warm_up"]

#: Content past this many bytes is not read by these rules (a long file keeps its path class).
LIMIT = 256 << 10

_SCRIPT_EXT = (".sh", ".bash", ".zsh", ".fish", ".ps1", ".bat", ".cmd", ".nu", ".py", ".js",
               ".mjs", ".cjs", ".ts", ".mts", ".rb", ".pl")  # fmt: skip
_SCRIPT_DIRS = ("script/", "scripts/", "bin/", "tools/", "hack/")
_CONFIG_EXT = (".json", ".jsonc", ".json5", ".toml", ".yaml", ".yml", ".plist", ".mobileconfig",
               ".xml", ".adml", ".admx")  # fmt: skip
_MARKDOWN_EXT = (".md", ".mdc", ".markdown")

_PUBLISH = (
    r"\b(?:npm|pnpm|yarn(?: npm)?|bun) publish\b|\bnpx (?:-y )?(?:semantic-release|np|lerna "
    r"publish|changeset publish)\b|\bchangeset publish\b|\blerna publish\b"
    r"|\btwine upload\b|\b(?:uv|poetry|flit|hatch|pdm) publish\b|\bcargo publish\b"
    r"|\bgem push\b|\b(?:dotnet )?nuget push\b|\bmvn\b[^\n]*\bdeploy\b|\bgradlew? [^\n]*\bpublish"
    r"|\b(?:docker|podman|buildah) push\b|\bdocker buildx build\b[^\n]*--push\b"
    r"|\bgh release (?:create|upload|edit)\b|\bgoreleaser release\b(?![^\n]*--snapshot)"
    r"|\b(?:vsce|ovsx) publish\b|\bhelm push\b|\bmcp-publisher (?:publish|login)\b"
    r"|\bcosign (?:sign|attest)\b|\bgpg\b[^\n]*--(?:detach-sign|clearsign|sign)\b"
    r"|\bcodesign\b|\bnotarytool\b|\bsigntool sign\b|\bsign_update\b"
    r"|\b(?:docker|podman|helm|npm) login\b|\baws ecr get-login"
)
_RELEASE_ACTIONS = (
    r"\buses:\s*['\"]?(?:pypa/gh-action-pypi-publish|softprops/action-gh-release"
    r"|ncipollo/release-action|actions/create-release|actions/upload-release-asset"
    r"|docker/login-action|aws-actions/amazon-ecr-login|azure/docker-login"
    r"|js-devtools/npm-publish|changesets/action|googleapis/release-please-action"
    r"|google-github-actions/release-please-action|rust-lang/crates-io-auth-action"
    r"|sigstore/gh-action-sigstore-python|actions/attest-build-provenance|actions/attest\b"
    r"|slsa-framework/|cloudflare/wrangler-action|amondnet/vercel-action"
    r"|superfly/flyctl-actions|cachix/cachix-action[^\n]*\n(?:[^\n]*\n){0,4}[^\n]*authtoken)"
)
_DEPLOY = (
    r"\bwrangler (?:deploy|publish)\b|\bvercel (?:deploy )?--prod\b|\bfly(?:ctl)? deploy\b"
    r"|\bgcloud (?:run|app|functions) deploy\b|\bkubectl apply\b|\bhelm (?:upgrade|install)\b"
    r"|\bterraform apply\b|\baws (?:ecs update-service|cloudformation deploy|lambda "
    r"update-function-code)\b|\baz (?:webapp|containerapp) (?:up|update|create)\b"
)
_BUILD_PUSH = re.compile(r"docker/build-push-action[^\n]*\n(?:[^\n]*\n){0,12}?\s*push:\s*true\b")
_CI_PUBLISHES = re.compile(f"{_PUBLISH}|{_RELEASE_ACTIONS}|{_DEPLOY}", re.IGNORECASE)
_TAG = (
    r"\bgit\b[\"',\s]+(?:-C\s+\S+\s+)?tag\b(?![\"',\s]*(?:\n|$|\||\)|-l\b|--list|-d\b|--delete"
    r"|--sort|--points-at|--contains|-n\b|--merged|--no-merged|--format|-v\b|--verify))"
    r"|\bgit push\b[^\n]*--(?:tags|follow-tags)\b"
    r"|\b(?:npm|pnpm|yarn) version\b|\bcargo (?:set-version|release)\b|\bbump(?:2|my-)?version\b"
    r"|\bpoetry version\b|\bhatch version\b"
)
_SCRIPT_RELEASES = re.compile(f"{_PUBLISH}|{_TAG}", re.IGNORECASE)
_SCRIPT_DEPLOYS = re.compile(_DEPLOY, re.IGNORECASE)
_HOOKS = re.compile(r"core\.hookspath|\.git/hooks\b|\bgit rev-parse --git-path hooks\b", re.I)
#: What a coding agent hands the hooks it runs on its events: the event names, the JSON keys of
#: the event it writes to the hook's stdin, the variables it sets for the hook.
_AGENT_HOOK = re.compile(
    r"\b(?:PreToolUse|PostToolUse|UserPromptSubmit)\b|\bhook_event_name\b|\btool_input\b"
    r"|\b[A-Z]+_TOOL_INPUT\w*|\bCLAUDE_PLUGIN_ROOT\b"
)
_SCRIPT_RULES: tuple[tuple[re.Pattern[str], FileClass, str], ...] = (
    (
        _SCRIPT_RELEASES,
        FileClass.SIGNING_PUBLISHING,
        "a script that tags, bumps, publishes or signs",
    ),
    (_SCRIPT_DEPLOYS, FileClass.DEPLOYMENT, "a script that deploys"),
    (_HOOKS, FileClass.REPO_CONFIG, "a script that installs git hooks"),
    (
        _AGENT_HOOK,
        FileClass.AGENT_INSTRUCTIONS,
        "a coding agent's hook: it runs on the agent's events",
    ),
)
_SCRIPT_PATTERNS = tuple(pattern for pattern, _, _ in _SCRIPT_RULES)
_FRONT_MATTER = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_AGENT_KEYS = frozenset(
    {"allowed-tools", "allowed_tools", "tools", "model", "argument-hint", "alwaysapply",
     "disable-model-invocation", "user-invocable", "globs"}
)  # fmt: skip
_DOCS_KEYS = frozenset(
    {"title", "layout", "sidebar_position", "sidebar_label", "slug", "permalink", "date",
     "tags", "authors", "nav_order", "weight", "draft", "template", "hide"}
)  # fmt: skip
_KEY = re.compile(r"^([A-Za-z][\w-]*)\s*:", re.MULTILINE)
_AGENT_KEYS_IN_CONFIG = (
    "mcpServers|mcp_servers|PreToolUse|PostToolUse|UserPromptSubmit|disableBypassPermissionsMode"
    "|allowManagedPermissionRulesOnly|enableAllProjectMcpServers|enabledMcpjsonServers"
)
#: One of those names used as a key (JSON, YAML, TOML table, plist), or the MCP registry's
#: `server.json` schema; a name merely mentioned in text (a changelog feed) is not a key.
_AGENT_CONFIG = re.compile(
    rf"[\"']?\b(?:{_AGENT_KEYS_IN_CONFIG})\b[\"']?\s*[:=]|\[\s*(?:{_AGENT_KEYS_IN_CONFIG})\b"
    rf"|<key>\s*(?:{_AGENT_KEYS_IN_CONFIG})\s*</key>"
    r"|modelcontextprotocol\.io/schemas/[^\"']*server\.schema\.json"
)


#: pip's requirement lines: `name[extra] OP version, ...; marker --hash=...`, bare names, options
_PIP_SPEC = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9._-]*(?:\[[^\]\n]*\])?"
    r"(?:\s*(?:===|==|>=|<=|~=|!=|>|<)\s*[A-Za-z0-9.*+!_-]+"
    r"(?:\s*,\s*(?:==|>=|<=|~=|!=|>|<)\s*[A-Za-z0-9.*+!_-]+)*)?"
    r"(?:\s*@\s*\S+)?\s*(?:;[^#]*)?(?:\s+--hash=\S+)*"
)
_PIP_OPTION = re.compile(
    r"(?:-[rcefi]\s+\S+|--(?:requirement|constraint|index-url|extra-index-url|find-links|"
    r"trusted-host|hash|editable|no-binary|only-binary|pre|prefer-binary|require-hashes)\b.*)"
)
_PIP_PINNED = re.compile(r"===|==|>=|<=|~=|!=|@\s*\S|--hash=|^-[rcefi]\s|^--")


def _pip_requirements(text: str) -> bool:
    """Every line a requirement or a pip option, and one of them pins or points somewhere:
    a requirements file whatever its name (`deps.txt`)."""
    lines = [ln.split(" #", 1)[0].strip().rstrip("\\").strip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith("#")]
    if not lines or len(lines) > 5000:
        return False
    if not all(_PIP_OPTION.fullmatch(ln) or _PIP_SPEC.fullmatch(ln) for ln in lines):
        return False
    return any(_PIP_PINNED.search(ln) for ln in lines)


def _kind(path: str, path_class: FileClass) -> str | None:
    low = path.lower()
    name = low.rsplit("/", 1)[-1]
    if path_class is FileClass.CI_WORKFLOW:
        return "ci"
    if RISK[path_class] is Risk.CRITICAL or path_class is FileClass.PACKAGING_BUILD:
        return None  # nothing ranks above critical; Makefiles and task runners keep their class
    if name.endswith(_MARKDOWN_EXT):
        return "markdown"
    if name.endswith(_CONFIG_EXT):
        return "config"
    if (
        name.endswith(_SCRIPT_EXT)
        or "." not in name
        or any(low.startswith(d) or f"/{d}" in low for d in _SCRIPT_DIRS)
    ):
        return "script"
    if name.endswith((".txt", ".in")) and path_class is not FileClass.DEPENDENCY_MANIFEST:
        return "text"
    return None


def classify_content(path: str, path_class: FileClass, content: bytes) -> tuple[FileClass, str]:
    """The class this content shows, and why; `path_class` and "" when it shows nothing more."""
    kind = _kind(path, path_class)
    if kind is None or b"\0" in content[:8000]:
        return path_class, ""
    text = content[:LIMIT].decode("utf-8", "replace")
    if kind == "ci":
        m = _CI_PUBLISHES.search(text) or _BUILD_PUSH.search(text)
        if m:
            why = f"a step publishes, releases or deploys: {_quote(m)}"
            return FileClass.SIGNING_PUBLISHING, why
        if path.lower().endswith((".yml", ".yaml")):
            return path_class, ""
        kind = "script"  # a script the workflows run (`.github/scripts/`): the script rules too
    if kind == "script":
        name = path.rsplit("/", 1)[-1]
        if "." not in name and not _in_script_dir(path) and not text.startswith("#!"):
            return path_class, ""  # an extension-less file that is not a script
        found = script_rule(text, _content_engine.rules_worth_trying(_SCRIPT_PATTERNS, text))
        if found is not None:
            return found
    elif kind == "markdown":
        why = _agent_front_matter(text)
        if why:
            return FileClass.AGENT_INSTRUCTIONS, why
    elif kind == "text":
        if _pip_requirements(text):
            return FileClass.DEPENDENCY_MANIFEST, "content: pip requirements"
    elif kind == "config":
        m = _AGENT_CONFIG.search(text)
        if m:
            why = f"configures a coding agent's tools or permissions: {_quote(m)}"
            return FileClass.AGENT_INSTRUCTIONS, why
    return path_class, ""


def script_rule(text: str, tried: Collection[int] | None = None) -> tuple[FileClass, str] | None:
    """The first script rule that matches `text`, and why. `tried` limits the rules run to
    those the engine says may match (`signoff.classify._content_engine`); None runs every rule,
    the plain path."""
    for index, (pattern, cls, what) in enumerate(_SCRIPT_RULES):
        if tried is not None and index not in tried:
            continue
        m = pattern.search(text)
        if m:
            return cls, f"{what}: {_quote(m)}"
    return None


def warm_up(chars: int) -> None:
    """About `chars` characters of content are about to be classified: let the script rules'
    engine compile in the background if that much pays for it."""
    _content_engine.warm_up(_SCRIPT_PATTERNS, chars)


def _in_script_dir(path: str) -> bool:
    low = path.lower()
    return any(low.startswith(d) or f"/{d}" in low for d in _SCRIPT_DIRS)


def _agent_front_matter(text: str) -> str:
    m = _FRONT_MATTER.match(text)
    if m is None:
        return ""
    keys = {k.lower() for k in _KEY.findall(m.group(1))}
    agent = sorted(keys & _AGENT_KEYS)
    if agent:
        return f"front matter declares an agent, command or rule: `{agent[0]}`"
    if {"name", "description"} <= keys and not keys & _DOCS_KEYS:
        return "front matter names and describes an agent or skill (`name`, `description`)"
    return ""


def _quote(m: re.Match[str]) -> str:
    return "`" + " ".join(m.group(0).split())[:60] + "`"
