"""`signoff check` begins git's walk before click loads (`signoff.cli.prefetch`); it must only
ever save time: the same decision, work started for other refs thrown away, nothing left running.
"""

from __future__ import annotations

import json
from typing import Any

import click
import pytest
from clirun import run
from gitrepo import COPILOT, HUMAN, Repo
from policies import AGENTS, POLICY

from signoff.cli import prefetch
from signoff.cli.check import check as check_command
from signoff.cli.check_options import CHECK_OPTIONS
from signoff.gate.check import run_check
from signoff.gate.start import RangeStart


@pytest.fixture
def work(repo: Repo) -> Repo:
    repo.write(".signoff/policy.yml", POLICY)
    repo.write(".signoff/agents.yml", AGENTS)
    repo.write("src/app.py", "print('hi')\n")
    repo.commit("base")
    repo.branch("work")
    repo.write("src/app.py", "print('agent')\n")
    repo.commit("agent change", author=COPILOT)
    repo.write("docs/guide.md", "# guide\n")
    repo.commit("human docs", author=HUMAN)
    return repo


@pytest.fixture
def started_log(monkeypatch: pytest.MonkeyPatch) -> list[RangeStart]:
    """Every `RangeStart` the early path begins (the real one, recorded)."""
    seen: list[RangeStart] = []
    real = RangeStart.__init__

    def recording(self: RangeStart, *args: Any, **kw: Any) -> None:
        real(self, *args, **kw)
        seen.append(self)

    monkeypatch.setattr("signoff.gate.start.RangeStart.__init__", recording)
    return seen


def _closed(s: RangeStart) -> bool:
    return s.closed


def _without_time(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "evaluated_at"}


def test_valued_options_are_those_of_the_check_command() -> None:
    valued = {
        opt
        for p in check_command.params
        if isinstance(p, click.Option) and not p.is_flag
        for opt in p.opts
    }
    assert valued == {decl for opt in CHECK_OPTIONS if opt.kind != "flag" for decl in opt.decls}
    flags = {
        opt
        for p in check_command.params
        if isinstance(p, click.Option) and p.is_flag
        for opt in p.opts
    } - {"--help"}
    assert flags == {decl for opt in CHECK_OPTIONS if opt.kind == "flag" for decl in opt.decls}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--base", "main"], (".", "main", "HEAD")),
        (["--repo=/r", "--base=main", "--head", "f"], ("/r", "main", "f")),
        (["--format", "json", "-o", "x.json", "--base", "b", "--base", "c"], (".", "c", "HEAD")),
        (["-q", "--base", "main", "--all", "--color", "never"], (".", "main", "HEAD")),
        (["--base", "main", "--help"], None),  # --help: click answers, nothing to start
        (["--base", "main", "--verbose"], None),  # not an option of check: unsure
        (["--base", "main", "extra"], None),
        (["--base", "main", "-o=x"], None),  # click reads "-o=x" as the value "=x"
        (["--base"], None),
        (["--head", "f"], None),  # no base from the arguments or the environment
    ],
)
def test_refs_reads_only_plain_command_lines(
    args: list[str], expected: tuple[str, str, str] | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SIGNOFF_BASE", raising=False)
    monkeypatch.delenv("GITHUB_BASE_REF", raising=False)
    assert prefetch.refs(args) == expected


def test_refs_takes_the_base_from_the_environment_like_the_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SIGNOFF_BASE", raising=False)
    monkeypatch.setenv("GITHUB_BASE_REF", "main")
    assert prefetch.refs([]) == (".", "origin/main", "HEAD")
    monkeypatch.setenv("SIGNOFF_BASE", "release")
    assert prefetch.refs([]) == (".", "release", "HEAD")


def test_check_uses_the_early_start_and_decides_the_same(
    work: Repo, started_log: list[RangeStart], capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["check", "--repo", str(work.path), "--base", "main", "--head", "work"]
    r = run(capsys, *args, "--format", "json")
    assert r.code == 1, r.err
    assert len(started_log) == 1, "the command line was plain: git should have started early"
    assert started_log[0].is_for(work.path, "main", "work")
    assert _closed(started_log[0])
    assert all(_closed(s) for s in started_log)
    plain = run_check(work.path, "main", "work")  # no early start at all
    from signoff.output.json_v1 import to_dict

    assert _without_time(r.json()) == _without_time(json.loads(json.dumps(to_dict(plain))))


def test_work_started_for_other_refs_is_closed_unused(work: Repo) -> None:
    other = RangeStart(work.path, "main", "refs/heads/main")
    decision = run_check(work.path, "main", "work", started=other)
    assert _closed(other)
    assert [c.sha for c in decision.commits] == work.git("rev-list", "main..work").split()


def test_a_usage_error_after_the_early_start_leaves_nothing_running(
    work: Repo, started_log: list[RangeStart], capsys: pytest.CaptureFixture[str]
) -> None:
    r = run(capsys, "check", "--repo", str(work.path), "--base", "main", "--format", "yaml")
    assert r.code == 2
    assert "yaml" in r.err
    assert len(started_log) == 1
    assert _closed(started_log[0])
    assert all(_closed(s) for s in started_log)


def test_a_failed_early_start_is_reported_by_the_check_itself(
    work: Repo, started_log: list[RangeStart], capsys: pytest.CaptureFixture[str]
) -> None:
    r = run(capsys, "check", "--repo", str(work.path), "--base", "nope", "--head", "work")
    assert r.code == 2
    assert "nope" in r.err
    assert "Traceback" not in r.err
    assert all(_closed(s) for s in started_log)
