"""`signoff policy validate|test`."""

from __future__ import annotations

from pathlib import Path

import click

from signoff.errors import ConfigError, Error


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", file=str(path)) from None


@click.group()
def policy() -> None:
    """Validate a policy and registry, and run policy unit tests."""


@policy.command()
@click.argument(
    "file",
    required=False,
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path(".signoff/policy.yml"),
)
@click.option(
    "--agents",
    "agents_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path(".signoff/agents.yml"),
    show_default=True,
    help="Agent registry.",
)
@click.pass_context
def validate(ctx: click.Context, file: Path, agents_file: Path) -> None:
    """Check FILE (default .signoff/policy.yml) and the registry; exit 2 on the first error."""
    from signoff.identity.agents import parse_registry
    from signoff.policy.load import parse_policy

    pol = parse_policy(_read(file), str(file))
    named = ctx.get_parameter_source("agents_file") is not click.core.ParameterSource.DEFAULT
    if named and not agents_file.exists():  # a registry asked for by name must be there
        raise ConfigError("cannot read: no such file", file=str(agents_file))
    click.echo(
        f"ok: {file}: {len(pol.rules)} rule(s), {len(pol.groups)} group(s), sha256:{pol.digest}"
    )
    if agents_file.exists():
        reg = parse_registry(_read(agents_file), str(agents_file))
        click.echo(f"ok: {agents_file}: {len(reg.agents)} agent(s), sha256:{reg.digest}")
    else:
        click.echo(f"note: {agents_file} not found; every agent would be unregistered")


@policy.command("test")
@click.argument("directory", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option(
    "--policy",
    "policy_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path(".signoff/policy.yml"),
    show_default=True,
)
@click.option(
    "--agents",
    "agents_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path(".signoff/agents.yml"),
    show_default=True,
)
@click.pass_context
def test_cmd(ctx: click.Context, directory: Path, policy_file: Path, agents_file: Path) -> None:
    """Run every scenario (*.yml) in DIRECTORY against the policy; exit 1 if any fails."""
    from signoff.identity.agents import EMPTY_REGISTRY, parse_registry
    from signoff.policy.load import parse_policy
    from signoff.policy.testing import run_tests

    pol = parse_policy(_read(policy_file), str(policy_file))
    reg = (
        parse_registry(_read(agents_file), str(agents_file))
        if agents_file.exists()
        else EMPTY_REGISTRY
    )
    outcomes = run_tests(directory, pol, reg)
    if not outcomes:
        raise Error(f"no scenarios (*.yml) found in {directory}")
    for o in outcomes:
        status = "PASS" if o.passed else "FAIL"
        click.echo(f"{status}: {o.file}: {o.name}" + ("" if o.passed else f"\n  {o.detail}"))
    failed = sum(1 for o in outcomes if not o.passed)
    click.echo("-" * 40)
    click.echo(f"{len(outcomes) - failed} passed, {failed} failed")
    ctx.exit(1 if failed else 0)
