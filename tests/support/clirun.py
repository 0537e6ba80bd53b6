"""Run the signoff CLI in-process, the way a shell would see it: exit code, stdout, stderr."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from signoff.cli.main import main


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> Result:
    capsys.readouterr()
    try:
        main(list(argv))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)
