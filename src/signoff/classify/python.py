"""Python: manifests, lockfiles and build files.

`pyproject.toml` is both a manifest and build config; it is classed `dependency-manifest` because
that is what changes most often and what dependency analyzers read. Both classes are high, so
the choice never lowers scrutiny; a build-backend change shows up as a semantic fact.
"""

from __future__ import annotations

from signoff.classify.rules import RuleClassifier, specific
from signoff.taxonomy import FileClass


class Python(RuleClassifier):
    ident = "python"
    desc = (
        "pyproject.toml, requirements, Pipfile, lockfiles (uv, poetry, pdm, pylock) and setup files"
    )
    rules = (
        specific(
            FileClass.DEPENDENCY_MANIFEST,
            ("pyproject.toml", "Python project: dependencies, build backend and tool settings"),
            ("requirements*.txt", "pip requirements"),
            ("requirements*.in", "pip-tools requirements input"),
            ("requirements/", "pip requirements folder"),
            ("constraints*.txt", "pip constraints"),
            ("Pipfile", "Pipenv dependencies"),
            ("environment.y*ml", "conda environment"),
            ("uv.toml", "uv settings: package indexes and sources"),
            ("pixi.toml", "pixi project dependencies"),
        )
        + specific(
            FileClass.LOCKFILE,
            ("uv.lock", "uv lockfile"),
            ("poetry.lock", "Poetry lockfile"),
            ("Pipfile.lock", "Pipenv lockfile"),
            ("pdm.lock", "PDM lockfile"),
            ("pylock.toml", "PEP 751 lockfile"),
            ("pylock.*.toml", "PEP 751 lockfile"),
            ("conda-lock.y*ml", "conda-lock lockfile"),
            ("pixi.lock", "pixi lockfile"),
        )
        + specific(
            FileClass.PACKAGING_BUILD,
            ("setup.py", "setuptools build script (runs at build and install)"),
            ("setup.cfg", "setuptools metadata and options"),
            ("MANIFEST.in", "what goes into the sdist"),
            ("hatch_build.py", "Hatch build hook (runs at build)"),
            ("hatch.toml", "Hatch build and environment settings"),
            ("pdm_build.py", "PDM build hook (runs at build)"),
            ("noxfile.py", "nox sessions: commands run in CI and release builds"),
            ("tox.ini", "tox environments: commands and dependencies run in CI and builds"),
            ("py.typed", "typing marker shipped in the package"),
        )
    )
