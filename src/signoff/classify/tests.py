"""Tests (generic): test folders at any depth, and test files named by their runner's convention.

Folders count for what is *under* them: a script named `script/test` is not a test folder (it is
the entry point CI runs: `unknown`, high). Generic, so any specific rule wins inside a test
folder: `tests/package.json` is a manifest and `tests/fixtures/server.pem` is key material. Name
conventions count anywhere (colocated `Button.test.tsx` is normal) except inside a product source
root (`src/main/`), where the build compiles every file into the product: there a test *name*
is source, a test *folder* is still tests. A repository that imports test-named files from
product code elsewhere can make them count as source with a policy `extra` glob, since extras
can raise but never lower.
"""

from __future__ import annotations

from signoff.classify.rules import RuleClassifier, generic
from signoff.taxonomy import FileClass

_JS = ("js", "jsx", "ts", "tsx", "mjs", "cjs", "mts", "cts")


class Tests(RuleClassifier):
    ident = "tests"
    desc = "tests/, test/, __tests__/, spec/, testdata/, fixtures and test file names"
    rules = generic(
        FileClass.TESTS,
        ("**/tests/**", "test folder"),
        ("**/test/**", "test folder"),
        ("**/__tests__/**", "test folder"),
        ("**/spec/**", "spec folder"),
        ("**/testdata/**", "test data folder"),
        ("**/fixtures/**", "test fixtures"),
        ("**/__snapshots__/**", "test snapshots"),
        ("**/e2e/**", "end-to-end tests"),
        ("**/evals/**", "evaluation suite (tests of model behaviour)"),
        ("*.eval.ts", "evaluation test"),
        ("**/src/test/", "Maven/Gradle test sources"),
        ("test_*.py", "pytest test module"),
        ("*_test.py", "pytest test module"),
        ("conftest.py", "pytest fixtures"),
        ("*_test.go", "Go test file (never built into the product)"),
        ("*_test.rs", "Rust test module (compiled only for tests)"),
        ("*_tests.rs", "Rust test module (compiled only for tests)"),
        *((f"*.test.{ext}", "JavaScript/TypeScript test file") for ext in _JS),
        *((f"*.spec.{ext}", "JavaScript/TypeScript spec file") for ext in _JS),
        ("*_spec.rb", "RSpec file"),
        ("*Test.java", "JUnit test"),
        ("*Tests.java", "JUnit test"),
        ("*Test.kt", "Kotlin test"),
        ("*Tests.cs", ".NET test"),
        ("*Test.cs", ".NET test"),
        ("*Tests.swift", "XCTest"),
        ("*_test.exs", "ExUnit test"),
        ("*.snap", "test snapshot"),
    )
