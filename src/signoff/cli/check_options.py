"""The options of `signoff check`, declared once as plain data.

Two readers: the click command (`signoff.cli.check`) builds its options from this table, and the
early start (`signoff.cli.prefetch`), which runs before click is imported, reads the repository
and the refs from the same table. A leaf module: it imports nothing of signoff but the
approvals ref.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from signoff.protected import APPROVALS_REF


@dataclass(frozen=True, slots=True)
class Opt:
    decls: tuple[str, ...]  #: the option's spellings, long first
    dest: str  #: the command's parameter name
    help: str
    kind: str = "text"  #: text | file (a file path) | dir (a directory path) | choice | flag
    default: str | None = None
    envvar: str | None = None
    choices: tuple[str, ...] = ()
    multiple: bool = False
    metavar: str | None = None


#: Values of --format and --report (signoff.output.Format, listed here so nothing else loads).
FORMATS = ("text", "json", "markdown", "sarif", "codequality", "junit")
#: Values of --color (signoff.cli._term.use_color).
COLOR_CHOICES = ("auto", "always", "never")

CHECK_OPTIONS: tuple[Opt, ...] = (
    Opt(("--repo",), "repo", "The git repository.", kind="dir", default="."),
    Opt(
        ("--base",),
        "base",
        "Base ref the change lands on (the protected branch). Policy, registry and keys are "
        "read from here. Default: $SIGNOFF_BASE, else origin/$GITHUB_BASE_REF when GitHub "
        "Actions sets it (pull requests).",
        envvar="SIGNOFF_BASE",
    ),
    Opt(("--head",), "head", "Head ref of the change.", default="HEAD"),
    Opt(
        ("--target-branch",),
        "target_branch",
        "Branch the change will land on (default: from --base).",
    ),
    Opt(
        ("--policy",),
        "policy_file",
        "DRY RUN with this policy file instead of the protected one on the base ref.",
        kind="file",
    ),
    Opt(
        ("--format",),
        "fmt",
        "Output format (codequality: GitLab Code Quality; junit: JUnit XML).",
        kind="choice",
        default="text",
        choices=FORMATS,
    ),
    Opt(
        ("--output", "-o"),
        "output",
        "Write the report to FILE instead of standard output.",
        kind="file",
    ),
    Opt(
        ("--report",),
        "reports",
        "Also write the report in FORMAT to FILE (repeatable), from the same run: e.g. "
        "--report codequality=gl-code-quality-report.json --report junit=signoff.xml.",
        multiple=True,
        metavar="FORMAT=FILE",
    ),
    Opt(
        ("--ledger",),
        "ledger_url",
        "Append the decision record to this ledger (sqlite path or postgresql:// URL).",
        envvar="SIGNOFF_LEDGER_URL",
    ),
    Opt(
        ("--approvals-ref",),
        "approvals_ref",
        "Ref holding signed approval records (fetch it first: docs/approvals.md).",
        default=APPROVALS_REF,
    ),
    Opt(
        ("--server",),
        "server_url",
        "Control plane URL: also count approvals given through its API, and post the decision "
        "record there (docs/server.md).",
        envvar="SIGNOFF_SERVER",
    ),
    Opt(("--token",), "token", "API token for --server ($SIGNOFF_TOKEN).", envvar="SIGNOFF_TOKEN"),
    Opt(
        ("--server-repo",),
        "server_repo",
        "The repository's name on the server (default: the repository directory's name).",
        envvar="SIGNOFF_SERVER_REPO",
    ),
    Opt(
        ("--color",),
        "color",
        "Colour the text report: auto (a terminal, unless NO_COLOR is set), always, never.",
        kind="choice",
        default="auto",
        choices=COLOR_CHOICES,
    ),
    Opt(("--quiet", "-q"), "quiet", "No progress and no notes on standard error.", kind="flag"),
    Opt(
        ("--all",),
        "full",
        "Text report: list every commit, allowed file and finding (long lists are folded).",
        kind="flag",
    ),
)


def github_base(environ: Mapping[str, str] = os.environ) -> str | None:
    """The base of a GitHub Actions pull request run, when no base was given."""
    branch = environ.get("GITHUB_BASE_REF")
    return f"origin/{branch}" if branch else None
