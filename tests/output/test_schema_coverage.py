"""Every JSON output of the CLI names a schema that docs/schemas/ publishes, and a test validates
real output against each published schema (docs/json-schema.md)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
from schemas import SCHEMAS, schema

from signoff.cli.app import cli

TESTS = Path(__file__).resolve().parents[1]

#: each command that writes JSON -> the schema document(s) of what it writes. `ledger prove` and
#: `ledger export` always write JSON; the others on `--format json`. Formats defined elsewhere
#: are not here: SARIF (names its own `$schema`) and GitLab's Code Quality report (a bare array
#: by its spec).
OUTPUTS = {
    "check": ["check-v1.json"],
    "explain": ["explain-v1.json"],
    "approvals list": ["approvals-v1.json"],
    "monitor": ["monitor-v1.json", "alert-v1.json"],
    "ledger show": ["ledger-events-v1.json"],
    "ledger prove": ["ledger-inclusion-v1.json", "ledger-consistency-v1.json"],
    "ledger export": ["ledger-bundle-v1.json"],
    "attest verify": ["attest-verify-v1.json"],
    "release verify": ["release-v1.json"],
    "report compliance": ["compliance-v1.json"],
    "trace": ["trace-v1.json"],
}


def _commands(group: click.Group, prefix: str = "") -> Iterator[tuple[str, click.Command]]:
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        assert cmd is not None
        path = f"{prefix}{name}"
        yield path, cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, path + " ")


def _writes_json(cmd: click.Command) -> bool:
    for p in cmd.params:
        if isinstance(p, click.Option) and "--format" in p.opts:
            choices = p.type.choices if isinstance(p.type, click.Choice) else ()
            if "json" in choices:
                return True
    return False


def test_every_json_output_is_listed() -> None:
    always = {"ledger prove", "ledger export"}
    found = {path for path, cmd in _commands(cli) if _writes_json(cmd)} | always
    assert found == set(OUTPUTS), "a command writes JSON no schema covers (or one was removed)"


def test_every_listed_schema_is_published_and_validated_by_a_test() -> None:
    listed = {name for names in OUTPUTS.values() for name in names}
    published = {p.name for p in SCHEMAS.glob("*.json")}
    assert listed == published
    sources = "\n".join(
        p.read_text(encoding="utf-8") for p in TESTS.rglob("*.py") if p.resolve() != Path(__file__)
    )
    for name in sorted(published):
        assert re.search(rf"validate\([^\n]*\"{re.escape(name)}\"\)", sources), (
            f"no test validates a real output against {name}"
        )
        # and the document it names is the one the schema pins
        assert schema(name)["properties"]["schema"]["const"] in _consts()


def _consts() -> set[str]:
    src = (TESTS.parent / "src" / "signoff").rglob("*.py")
    return set(re.findall(r"\"(signoff\.[a-z.]+/v\d+)\"", "\n".join(p.read_text() for p in src)))
