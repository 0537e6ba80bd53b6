"""The command table of `signoff`: each subcommand's module, attribute and one-line help.

A leaf module: the entry point (`signoff.cli.main`) and the click group (`signoff.cli.app`) both
read it, and neither imports the other's module to get it.
"""

# name -> (module, attribute, one-line help). Keep alphabetical within each area.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "approvals": ("signoff.cli.approve", "approvals", "List signed approval records, verified."),
    "approve": (
        "signoff.cli.approve",
        "approve",
        "Sign an approval of exactly the content a range lands.",
    ),
    "artifact": (
        "signoff.cli.artifact",
        "artifact",
        "Record who built or signed an artifact (never an agent).",
    ),
    "attest": ("signoff.cli.attest", "attest", "Verify DSSE / in-toto release attestations."),
    "check": (
        "signoff.cli.check",
        "check",
        "Decide on a commit range: attribution, classes, policy.",
    ),
    "explain": ("signoff.cli.explain", "explain", "Show the class, risk and rules for paths."),
    "github": (
        "signoff.cli.github",
        "github",
        "signoff on GitHub pull requests: the Action's work.",
    ),
    "gitlab": (
        "signoff.cli.gitlab",
        "gitlab",
        "GitLab merge requests: keep one note with the gate's report.",
    ),
    "hook": (
        "signoff.cli.hook",
        "hook",
        "Task tokens and scope at the git server (pre-receive); the gate before a push.",
    ),
    "init": ("signoff.cli.init", "init", "Write a starter .signoff/policy.yml and agents.yml."),
    "ledger": ("signoff.cli.ledger", "ledger", "The tamper-evident ledger: append, prove, verify."),
    "monitor": (
        "signoff.cli.monitor",
        "monitor",
        "Raise governance alerts (one-shot, for cron/CI); acknowledge them.",
    ),
    "override": (
        "signoff.cli.approve",
        "override",
        "Break-glass: let a range through as overridden (never approved).",
    ),
    "policy": ("signoff.cli.policy", "policy", "Validate a policy and run policy unit tests."),
    "serve": ("signoff.cli.serve", "serve", "Run the control plane (HTTP API, ledger)."),
    "server": (
        "signoff.cli.serve",
        "server",
        "Administer the control plane (bootstrap, migrate).",
    ),
    "report": ("signoff.cli.report", "report", "Reports for auditors: the compliance report."),
    "release": (
        "signoff.cli.release",
        "release",
        "The release gate: verify a candidate; record promotions.",
    ),
    "trace": (
        "signoff.cli.trace",
        "trace",
        "Artifact -> release -> commits -> tasks -> approvals, and back.",
    ),
    "veto": ("signoff.cli.approve", "veto", "Sign a veto of exactly the content a range lands."),
}
