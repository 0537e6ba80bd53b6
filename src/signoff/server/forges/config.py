"""The GitHub App's settings: a TOML file named by `SIGNOFF_GITHUB_APP` (docs/github.md).

    app_id = "123456"
    private_key_file = "/etc/signoff/github-app.pem"
    webhook_secret_file = "/etc/signoff/github-webhook-secret"
    api_url = "https://api.github.com"            # optional
    [repos."acme/widgets"]
    repo = "widgets"              # the repository's name registered on this server
    installation = 42             # the App's installation that may speak for it
    remote = "https://github.com/acme/widgets.git"

Only repositories listed here are evaluated, and only for the installation listed: a delivery
naming anything else is refused. The key and the secret are read from files, never from the
environment or the database.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, NamedTuple

from signoff.errors import Error

DEFAULT_API = "https://api.github.com"


class RepoLink(NamedTuple):
    full_name: str  # owner/name on GitHub, lower case
    repo: str  # the registered repository's name on this server
    installation: int
    remote: str


class GitHubApp(NamedTuple):
    app_id: str
    private_key: str
    webhook_secret: bytes
    api_url: str
    repos: dict[str, RepoLink]

    def link(self, full_name: str) -> RepoLink | None:
        return self.repos.get(full_name.lower())


def _read(path: Any, what: str, where: Path) -> bytes:
    if not isinstance(path, str) or not path:
        raise Error(f"{where}: {what} must name a file")
    try:
        data = Path(path).expanduser().read_bytes()
    except OSError as exc:
        raise Error(f"{where}: cannot read {what} {path}: {exc.strerror}") from None
    if not data.strip():
        raise Error(f"{where}: {what} {path} is empty")
    return data.strip()


def load_app(path: Path) -> GitHubApp:
    """The App's settings, or an `Error` naming the file and the field."""
    try:
        doc = tomllib.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise Error(f"cannot read {path}: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise Error(f"{path}: not valid TOML: {exc}") from None
    known = {"app_id", "private_key_file", "webhook_secret_file", "api_url", "repos"}
    unknown = sorted(set(doc) - known)
    if unknown:
        raise Error(f"{path}: unknown setting(s) {', '.join(unknown)}")
    app_id = str(doc.get("app_id", "")).strip()
    if not app_id.isdigit():
        raise Error(f"{path}: app_id must be the App's numeric id")
    repos: dict[str, RepoLink] = {}
    for full, item in dict(doc.get("repos") or {}).items():
        where = f"{path}: repos.{full!r}"
        if not isinstance(item, dict) or set(item) != {"repo", "installation", "remote"}:
            raise Error(f"{where}: needs exactly repo, installation and remote")
        inst = item["installation"]
        if "/" not in full or not isinstance(inst, int) or isinstance(inst, bool) or inst < 1:
            raise Error(f"{where}: needs an owner/name key and a positive installation id")
        repos[full.lower()] = RepoLink(full.lower(), str(item["repo"]), inst, str(item["remote"]))
    return GitHubApp(
        app_id=app_id,
        private_key=_read(doc.get("private_key_file"), "private_key_file", path).decode(),
        webhook_secret=_read(doc.get("webhook_secret_file"), "webhook_secret_file", path),
        api_url=str(doc.get("api_url") or DEFAULT_API).rstrip("/"),
        repos=repos,
    )
