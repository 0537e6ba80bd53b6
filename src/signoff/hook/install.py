"""`signoff hook install REPO.git`: write hooks/pre-receive, turn on push options and git's
own checks of pushed objects (`receive.fsckObjects`: trees with `.git`, `..` and other
dangerous names are refused before the hook runs), and make the policy cache directory.

The script execs this interpreter's `python -P -m signoff.hook pre-receive` (the light entry:
the same command and options as `signoff hook pre-receive`, without the CLI package) with the
chosen options. The hook's credential is never on its command line: it comes from
`SIGNOFF_HOOK_TOKEN` or from `signoff-hook.token` in the repository directory (mode 0600,
written by `--token-file`).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

from signoff.errors import Error
from signoff.hook.backend import CREDENTIAL_FILE
from signoff.hook.policy import CACHE_DIR


def install(
    repo: Path,
    *,
    server: str | None,
    data_dir: Path | None,
    repo_name: str,
    no_token_mode: str,
    credential: str | None = None,
) -> Path:
    if not (repo / "objects").is_dir() or not (repo / "HEAD").is_file():
        raise Error(f"{repo} is not a bare git repository")
    if (server is None) == (data_dir is None):
        raise Error("give exactly one of --server URL and --data-dir DIR")
    # -P: the repository directory (the hook's cwd) is never on sys.path
    args = [sys.executable, "-P", "-m", "signoff.hook", "pre-receive",
            "--repo-name", repo_name, "--no-token-mode", no_token_mode]  # fmt: skip
    args += ["--server", server] if server else ["--data-dir", str(data_dir)]
    hook = repo / "hooks" / "pre-receive"
    hook.parent.mkdir(exist_ok=True)
    script = (
        "#!/bin/sh\n# Installed by `signoff hook install`: task tokens and scope at push time.\n"
        f'exec {shlex.join(args)} --repo "$(pwd)"\n'
    )
    hook.write_text(script)
    hook.chmod(0o755)
    if credential is not None:
        path = repo / CREDENTIAL_FILE
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(credential.strip() + "\n")
    for key in ("receive.advertisePushOptions", "receive.fsckObjects"):
        subprocess.run(["git", "-C", str(repo), "config", key, "true"], check=True)
    (repo / CACHE_DIR).mkdir(mode=0o700, exist_ok=True)
    return hook
