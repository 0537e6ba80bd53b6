"""What both entry points of `pre-receive` do with their parsed options: pick the backend,
read the ref updates on stdin, and run the hook (`signoff.hook.run`).

Exit codes: 0 accept, 1 refuse (git refuses the push on any non-zero).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from signoff.broker.errors import BrokerError
from signoff.hook.backend import Backend, credential


def backend_for(opts: Mapping[str, str | None], repo: str, env: Mapping[str, str]) -> Backend:
    """The control plane over HTTP (`--server`) or its database on this host (`--data-dir`)."""
    server, data_dir = opts.get("server"), opts.get("data_dir")
    if server:
        from signoff.hook.backend import Remote

        cred = credential(repo, env)
        if not cred:
            raise BrokerError(
                "the hook has no credential: set SIGNOFF_HOOK_TOKEN or write "
                "signoff-hook.token (0600) in the repository",
                code="unavailable",
            )
        return Remote(server, cred)
    database_url = opts.get("database_url")
    if data_dir is None and database_url is None:
        raise BrokerError("give --server URL or --data-dir DIR", code="unavailable")
    from pathlib import Path

    from signoff.hook.backend import Local

    return Local(Path(data_dir) if data_dir else None, database_url)


def pre_receive(opts: Mapping[str, str | None]) -> int:
    from signoff.hook.run import pre_receive as run

    repo = os.path.realpath(opts.get("repo_dir") or ".")
    name = opts.get("repo_name") or os.path.basename(repo).removesuffix(".git")
    env = dict(os.environ)
    mode = opts.get("no_token_mode") or "refuse"
    return run(repo, name, lambda: backend_for(opts, repo, env), mode, sys.stdin.read(), env)
