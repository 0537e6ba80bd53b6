"""pyproject.toml, requirements files, setup.py/setup.cfg, poetry.lock, uv.lock, Pipfile.lock."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from signoff.facts import Fact
from signoff.taxonomy import Risk

Analyze = Callable[..., list[Fact]]
DATA = Path(__file__).parent / "data"


def kinds(facts: list[Fact]) -> set[str]:
    return {f.kind for f in facts}


PYPROJECT = """\
[build-system]
requires = ["hatchling>=1.21"]
build-backend = "hatchling.build"

[project]
name = "orbit-client"
version = "0.9.2"
description = "Client for the Orbit telemetry API"
requires-python = ">=3.10"
dependencies = [
    "httpx>=0.27,<1",
    "pydantic>=2.6",
]

[project.optional-dependencies]
cli = ["click>=8.1"]

[project.scripts]
orbit = "orbit_client.cli:main"

[dependency-groups]
dev = ["pytest>=8", "ruff"]

[tool.hatch.build.targets.wheel]
packages = ["src/orbit_client"]

[tool.ruff]
line-length = 100
"""


def test_pyproject_benign_reformat_and_comments(analyze: Analyze) -> None:
    new = PYPROJECT.replace(
        'dependencies = [\n    "httpx>=0.27,<1",\n    "pydantic>=2.6",\n]',
        'dependencies = ["httpx>=0.27,<1", "pydantic>=2.6"]  # runtime',
    ).replace("[tool.ruff]\nline-length = 100", "[tool.ruff]\n# wider lines\nline-length = 100")
    assert analyze("pyproject.toml", PYPROJECT, new) == []


def test_pyproject_version_bump_only(analyze: Analyze) -> None:
    new = PYPROJECT.replace('version = "0.9.2"', 'version   =   "0.9.3"   # release')
    facts = analyze("pyproject.toml", PYPROJECT, new)
    assert kinds(facts) == {"version-changed", "version-bump-only"}
    assert facts[0].line == 7
    not_only = new.replace('"pydantic>=2.6"', '"pydantic>=2.7"')
    assert "version-bump-only" not in kinds(analyze("pyproject.toml", PYPROJECT, not_only))


def test_pyproject_risky(analyze: Analyze) -> None:
    new = (
        PYPROJECT.replace(
            'requires = ["hatchling>=1.21"]',
            'requires = ["hatchling>=1.21", "hatch-fancy-pypi-readme"]',
        )
        .replace(
            'build-backend = "hatchling.build"',
            'build-backend = "backend"\nbackend-path = ["_build"]',
        )
        .replace(
            '"pydantic>=2.6",',
            '"pydantic>=2.6",\n    "orbit-proto @ git+https://github.com/orbit/proto@main",',
        )
        .replace(
            'orbit = "orbit_client.cli:main"',
            'orbit = "orbit_client.cli:main"\norbit-admin = "orbit_client.admin:main"',
        )
        + '\n[tool.hatch.build.hooks.custom]\npath = "hatch_build.py"\n'
        + '\n[[tool.uv.index]]\nname = "mirror"\nurl = "https://pypi.mirror.example/simple"\n'
    )
    facts = analyze("pyproject.toml", PYPROJECT, new)
    assert {
        "build-requires-changed",
        "build-backend-changed",
        "dependency-added",
        "dependency-source-changed",
        "entry-point-added",
        "tool-hook-changed",
        "registry-changed",
    } <= kinds(facts)
    hook = next(f for f in facts if f.kind == "tool-hook-changed")
    assert hook.line == new.splitlines().index("[tool.hatch.build.hooks.custom]") + 1


def test_pyproject_poetry(analyze: Analyze) -> None:
    old = (
        '[tool.poetry]\nname = "a"\nversion = "1.0.0"\n\n'
        '[tool.poetry.dependencies]\npython = "^3.11"\nrequests = "^2.31"\n'
    )
    new = old.replace(
        'requests = "^2.31"',
        'requests = { git = "https://github.com/fork/requests.git", rev = "abc" }',
    )
    facts = analyze("pyproject.toml", old, new)
    assert {"dependency-version-changed", "dependency-source-changed"} <= kinds(facts)
    new_script = old + '\n[tool.poetry.scripts]\nrun = "a.cli:main"\n'
    assert kinds(analyze("pyproject.toml", old, new_script)) == {"entry-point-added"}


def test_pyproject_malformed(analyze: Analyze) -> None:
    facts = analyze("pyproject.toml", PYPROJECT, PYPROJECT + "\n[project\n")
    assert kinds(facts) == {"parse-failed"}
    assert facts[0].line is not None
    bad_req = PYPROJECT.replace('"pydantic>=2.6"', '"pydantic >>> 2"')
    assert kinds(analyze("pyproject.toml", PYPROJECT, bad_req)) == {"parse-failed"}


def test_pyproject_added(analyze: Analyze) -> None:
    facts = analyze("pyproject.toml", None, PYPROJECT)
    assert {"dependency-added", "build-backend-changed", "entry-point-added"} <= kinds(facts)
    assert "version-bump-only" not in kinds(facts)


# requirements ---------------------------------------------------------------------------------

REQS = """\
# Pinned by pip-compile
--index-url https://pypi.org/simple

certifi==2024.2.2 \\
    --hash=sha256:cb7e2c16f3a4a60a1a098cbad32026858b528ac17e5dc996865db850b439bc88
idna==3.6 \\
    --hash=sha256:6fc83dfb13043ffc48398cd7dc311948a92228398b876cf514a3fb722da16eca
requests==2.31.0 ; python_version >= "3.8" \\
    --hash=sha256:ec7502293d2ddc6a8fb364f9cd9342fe8078f65cf2535131d28d60c32bca6d18
"""


def test_requirements_benign(analyze: Analyze) -> None:
    lines = REQS.splitlines(keepends=True)
    new = "".join([lines[0], "# regenerated\n", *lines[1:]])
    assert analyze("requirements.txt", REQS, new) == []


def test_requirements_risky(analyze: Analyze) -> None:
    new = (
        REQS.replace(
            "--index-url https://pypi.org/simple",
            "--index-url https://pypi.org/simple\n"
            "--extra-index-url https://pkgs.evil.example/simple\n"
            "--trusted-host pkgs.evil.example",
        )
        .replace(
            "idna==3.6 \\\n    --hash=sha256:6fc83dfb13043ffc48398cd7dc311948a92228398b876cf514a3f"
            "b722da16eca",
            "idna==3.6",
        )
        .replace(
            "cb7e2c16f3a4a60a1a098cbad32026858b528ac17e5dc996865db850b439bc88",
            "1111111111111111111111111111111111111111111111111111111111111111",
        )
        + "urllib3 @ https://files.example/urllib3-2.2.1-py3-none-any.whl\n"
        + "-e git+https://github.com/acme/tool.git@main#egg=acme-tool\n"
    )
    facts = analyze("requirements/base.txt", REQS, new)
    assert {
        "registry-changed",
        "trusted-host-added",
        "hash-removed",
        "integrity-changed-without-version-change",
        "dependency-added",
        "dependency-source-changed",
    } <= kinds(facts)
    trusted = next(f for f in facts if f.kind == "trusted-host-added")
    assert trusted.line == 4


def test_requirements_version_change_and_malformed(analyze: Analyze) -> None:
    new = REQS.replace("requests==2.31.0", "requests==2.32.0")
    assert "dependency-version-changed" in kinds(analyze("requirements-dev.txt", REQS, new))
    facts = analyze("requirements.txt", REQS, REQS + "this is not ] a requirement\n")
    assert kinds(facts) == {"parse-failed"}
    assert facts[0].line == len(REQS.splitlines()) + 1


def test_requirements_paths() -> None:
    from signoff.analysis.python_requirements import RequirementsAnalyzer

    handles = RequirementsAnalyzer().handles
    assert handles("requirements.txt")
    assert handles("ci/constraints.txt")
    assert handles("requirements/dev.in")
    assert not handles("docs/notes.txt")


# setup.py / setup.cfg -------------------------------------------------------------------------


def test_setup_py_is_packaging_code(analyze: Analyze) -> None:
    facts = analyze(
        "setup.py",
        "from setuptools import setup\nsetup()\n",
        "from setuptools import setup\nsetup(name='x')\n",
    )
    assert kinds(facts) == {"packaging-code-changed"}
    assert kinds(analyze("setup.py", None, "import os\n")) == {"packaging-code-changed"}


SETUP_CFG = """\
[metadata]
name = skylark
version = 1.4.0

[options]
packages = find:
install_requires =
    attrs>=23.1
    pyyaml>=6
setup_requires = setuptools_scm

[options.entry_points]
console_scripts =
    skylark = skylark.cli:main
"""


def test_setup_cfg(analyze: Analyze) -> None:
    bumped = SETUP_CFG.replace("version = 1.4.0", "version = 1.4.1")
    assert kinds(analyze("setup.cfg", SETUP_CFG, bumped)) == {
        "version-changed",
        "version-bump-only",
    }
    new = SETUP_CFG.replace("    pyyaml>=6\n", "    pyyaml>=6\n    evil-pkg==0.1\n").replace(
        "skylark = skylark.cli:main", "skylark = skylark.cli:main\n    other = skylark.x:y"
    )
    assert {"dependency-added", "entry-point-changed"} <= kinds(
        analyze("setup.cfg", SETUP_CFG, new)
    )
    assert kinds(analyze("setup.cfg", SETUP_CFG, "[metadata\nname=x\n")) == {"parse-failed"}


# poetry.lock ----------------------------------------------------------------------------------

POETRY_LOCK = (DATA / "poetry-lock/poetry.lock").read_text(encoding="utf-8")


def test_poetry_lock_refresh_and_risks(analyze: Analyze) -> None:
    bumped = (
        POETRY_LOCK.replace('version = "3.6"', 'version = "3.7"')
        .replace("idna-3.6", "idna-3.7")
        .replace("6fc83dfb", "aaaaaaaa")
        .replace("d04b325c", "bbbbbbbb")
    )
    facts = analyze("poetry.lock", POETRY_LOCK, bumped)
    assert kinds(facts) == {"dependency-version-changed", "lockfile-version-refresh"}
    assert next(f for f in facts if f.kind == "dependency-version-changed").line == 15

    tampered = POETRY_LOCK.replace("9c171ea1", "eeeeeeee")
    assert kinds(analyze("poetry.lock", POETRY_LOCK, tampered)) == {
        "integrity-changed-without-version-change"
    }
    extra_wheel = POETRY_LOCK.replace(
        'files = [\n    {file = "idna',
        'files = [\n    {file = "idna-3.6-py2.whl", hash = "sha256:ff"},\n    {file = "idna',
    )
    assert analyze("poetry.lock", POETRY_LOCK, extra_wheel) == []
    source = POETRY_LOCK.replace(
        'python-versions = ">=3.5"\n',
        'python-versions = ">=3.5"\n\n[package.source]\ntype = "legacy"\n'
        'url = "https://pkgs.evil.example/simple"\nreference = "evil"\n',
    )
    assert "registry-changed" in kinds(analyze("poetry.lock", POETRY_LOCK, source))
    no_hashes = re.sub(
        r'files = \[\n    \{file = "idna.*?\n\]', "files = []", POETRY_LOCK, flags=re.S
    )
    assert "hash-removed" in kinds(analyze("poetry.lock", POETRY_LOCK, no_hashes))
    manifest = bumped.replace('content-hash = "9b3f', 'content-hash = "0000')
    assert "lockfile-version-refresh" not in kinds(analyze("poetry.lock", POETRY_LOCK, manifest))
    assert kinds(analyze("poetry.lock", POETRY_LOCK, "[[package]\n")) == {"parse-failed"}


def test_poetry_lock_added_package(analyze: Analyze) -> None:
    new = POETRY_LOCK.replace(
        "[metadata]",
        '[[package]]\nname = "evil"\nversion = "0.1"\ndescription = ""\noptional = false\n'
        'python-versions = "*"\nfiles = []\n\n[metadata]',
    )
    facts = analyze("poetry.lock", POETRY_LOCK, new)
    assert kinds(facts) == {"dependency-added"}
    assert facts[0].risk is Risk.MEDIUM


# uv.lock --------------------------------------------------------------------------------------

UV_LOCK = (DATA / "uv-lock/uv.lock").read_text(encoding="utf-8")


def test_uv_lock(analyze: Analyze) -> None:
    bumped = (
        UV_LOCK.replace('version = "0.27.0"', 'version = "0.27.2"')
        .replace("0.27.0", "0.27.2")
        .replace("aaaa", "cccc")
        .replace("bbbb", "dddd")
    )
    assert kinds(analyze("uv.lock", UV_LOCK, bumped)) == {
        "dependency-version-changed",
        "lockfile-version-refresh",
    }
    outside = bumped.replace("0.27.2", "1.0.0")
    facts = analyze("uv.lock", UV_LOCK, outside)
    assert "lockfile-version-refresh" not in kinds(facts)
    moved = UV_LOCK.replace("https://pypi.org/simple", "https://pypi.evil.example/simple")
    assert "registry-changed" in kinds(analyze("uv.lock", UV_LOCK, moved))
    own = UV_LOCK.replace('version = "0.9.2"', 'version = "0.9.3"')
    assert kinds(analyze("uv.lock", UV_LOCK, own)) == {
        "dependency-version-changed",
        "lockfile-version-refresh",
    }


# Pipfile.lock ---------------------------------------------------------------------------------


def _pipfile(
    version: str, hashes: list[str], verify: bool = True, url: str = "https://pypi.org/simple"
) -> str:
    doc = {
        "_meta": {
            "hash": {"sha256": "abc"},
            "pipfile-spec": 6,
            "requires": {"python_version": "3.12"},
            "sources": [{"name": "pypi", "url": url, "verify_ssl": verify}],
        },
        "default": {"six": {"hashes": hashes, "index": "pypi", "version": f"=={version}"}},
        "develop": {},
    }
    return json.dumps(doc, indent=4)


def test_pipfile_lock(analyze: Analyze) -> None:
    old = _pipfile("1.16.0", ["sha256:1111"])
    assert kinds(analyze("Pipfile.lock", old, _pipfile("1.16.0", ["sha256:2222"]))) == {
        "integrity-changed-without-version-change"
    }
    assert "trusted-host-added" in kinds(
        analyze("Pipfile.lock", old, _pipfile("1.16.0", ["sha256:1111"], verify=False))
    )
    moved = analyze(
        "Pipfile.lock", old, _pipfile("1.16.0", ["sha256:1111"], url="https://evil.example/simple")
    )
    assert "registry-changed" in kinds(moved)
    assert analyze("Pipfile.lock", old, json.dumps(json.loads(old), indent=2)) == []
    assert kinds(analyze("Pipfile.lock", old, "{")) == {"parse-failed"}
