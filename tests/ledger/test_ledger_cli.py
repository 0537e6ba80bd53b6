"""`signoff ledger ...` end to end, in-process, on a real SQLite file."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from schemas import validate

Cli = Callable[[list[str]], tuple[int, str, str]]
COMMIT = "c" * 40


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SIGNOFF_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SIGNOFF_LEDGER_URL", raising=False)
    monkeypatch.delenv("SIGNOFF_LEDGER_KEY", raising=False)
    return f"sqlite:///{tmp_path / 'cli.db'}"


def fill(cli: Cli, url: str, n: int = 5, start: int = 0) -> None:
    for i in range(start, start + n):
        code, out, err = cli(
            ["ledger", "append", "--ledger", url, "--type", "decision.made", "--actor",
             "agent:bot", "--subject", f"commit={COMMIT}", "--subject", f"task=T-{i}",
             "--payload", json.dumps({"decision": "allow", "i": i}), "--witnessed", "actor"]
        )  # fmt: skip
        assert code == 0, err
        assert out.startswith(f"appended seq {i} leaf ")


def test_append_show_prove_verify(cli: Cli, url: str, tmp_path: Path) -> None:
    fill(cli, url)
    code, out, _ = cli(["ledger", "show", "--ledger", url, "--format", "json"])
    assert code == 0 and [e["seq"] for e in json.loads(out)["events"]] == [0, 1, 2, 3, 4]
    validate(json.loads(out), "ledger-events-v1.json")
    code, out, _ = cli(["ledger", "show", "3", "--ledger", url])
    assert code == 0 and "decision.made" in out and "task=T-3" in out
    code, out, _ = cli(["ledger", "prove", "2", "--ledger", url])
    assert code == 0 and json.loads(out)["tree_size"] == 5
    validate(json.loads(out), "ledger-inclusion-v1.json")
    code, out, _ = cli(["ledger", "prove", "--consistency", "2", "5", "--ledger", url])
    assert code == 0 and len(json.loads(out)["consistency_path"]) > 0
    validate(json.loads(out), "ledger-consistency-v1.json")
    code, note, _ = cli(["ledger", "checkpoint", "--ledger", url])
    assert code == 0 and note.startswith("signoff.local/ledger\n5\n")
    saved = tmp_path / "trusted.txt"
    saved.write_text(note)
    fill(cli, url, 2, start=5)
    code, out, _ = cli(["ledger", "verify", "--ledger", url, "--trusted-checkpoint", str(saved)])
    assert code == 0 and out.startswith("ok: 7 events") and "extends trusted" in out


def test_verify_failure_names_the_seq(cli: Cli, url: str) -> None:
    fill(cli, url)
    conn = sqlite3.connect(url[len("sqlite:///") :], isolation_level=None)
    conn.execute("DELETE FROM ledger_events WHERE seq = 2")
    conn.close()
    code, _out, err = cli(["ledger", "verify", "--ledger", url])
    assert code == 1 and err.startswith("FAIL at seq 2:")


def test_export_and_verify_bundle(cli: Cli, url: str, tmp_path: Path) -> None:
    fill(cli, url)
    bundle = tmp_path / "bundle.json"
    code, out, err = cli(
        ["ledger", "export", "--ledger", url, "--subject", "task=T-3", "--seq", "1", "-o",
         str(bundle)]
    )  # fmt: skip
    assert code == 0, err
    validate(json.loads(bundle.read_text()), "ledger-bundle-v1.json")
    code, key, _ = cli(["ledger", "public-key", "--ledger", url])
    key = key.strip()
    code, out, err = cli(["ledger", "verify-bundle", str(bundle), "--public-key", key])
    assert code == 0 and "2 events (1, 3)" in out, err
    keyfile = tmp_path / "pub.txt"
    keyfile.write_text(key + "\n")
    code, out, _ = cli(["ledger", "verify-bundle", str(bundle), "--public-key", str(keyfile)])
    assert code == 0

    data = json.loads(bundle.read_text())
    data["entries"][1]["event"]["payload"]["decision"] = "deny"
    bundle.write_text(json.dumps(data))
    code, _, err = cli(["ledger", "verify-bundle", str(bundle), "--public-key", key])
    assert code == 1 and "seq 3" in err and "does not match the root" in err

    data["entries"] = []
    data["checkpoint"] = data["checkpoint"].replace("\n5\n", "\n6\n")
    bundle.write_text(json.dumps(data))
    code, _, err = cli(["ledger", "verify-bundle", str(bundle), "--public-key", key])
    assert code == 1 and "bad signature" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--type", "nope", "--actor", "a"], "unknown event type"),
        (["--type", "token.issued", "--actor", "a", "--payload", '{"token": "x"}'], "secrets"),
        (["--type", "token.issued", "--actor", "a", "--payload", "[1]"], "JSON object"),
        (["--type", "token.issued", "--actor", "a", "--payload", "{"], "not JSON"),
        (["--type", "token.issued", "--actor", "a", "--subject", "x"], "KEY=VALUE"),
        (["--type", "token.issued", "--actor", "a", "--payload", "@/nonexistent"], "cannot read"),
    ],
)
def test_bad_input_is_one_line_exit_2(cli: Cli, url: str, argv: list[str], message: str) -> None:
    code, _, err = cli(["ledger", "append", "--ledger", url, *argv])
    assert code == 2 and message in err and "Traceback" not in err


def test_missing_event_and_bad_url(cli: Cli, url: str) -> None:
    assert (
        cli(["ledger", "append", "--ledger", url, "--type", "config.changed", "--actor", "a"])[0]
        == 0
    )
    code, _, err = cli(["ledger", "show", "9", "--ledger", url])
    assert code == 2 and "no event with seq 9" in err
    code, _, err = cli(["ledger", "verify", "--ledger", "mysql://x"])
    assert code == 2 and "unsupported ledger URL" in err
    code, _, err = cli(["ledger", "prove", "--ledger", url])
    assert code == 2
