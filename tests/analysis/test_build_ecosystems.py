"""Dockerfile, Maven, Gradle, Go, Rust and Ruby analyzers."""

from __future__ import annotations

from collections.abc import Callable

from signoff.facts import Fact

Analyze = Callable[..., list[Fact]]


def kinds(facts: list[Fact]) -> set[str]:
    return {f.kind for f in facts}


DIGEST = "sha256:" + "4f" * 32
DOCKERFILE = f"""\
# syntax=docker/dockerfile:1
FROM python:3.12-slim@{DIGEST} AS build
WORKDIR /src
COPY pyproject.toml .
RUN pip install --no-cache-dir build \\
    && python -m build --wheel

FROM gcr.io/distroless/python3@{DIGEST}
COPY --from=build /src/dist/*.whl /app/
"""


def test_dockerfile_risky(analyze: Analyze) -> None:
    new = (
        DOCKERFILE.replace(
            f"FROM python:3.12-slim@{DIGEST} AS build", "FROM python:3.13-slim AS build"
        )
        .replace(
            "WORKDIR /src\n",
            "WORKDIR /src\nRUN curl -fsSL https://tools.example.dev/setup.sh | sh\n",
        )
        .replace(
            "COPY pyproject.toml .\n",
            "COPY pyproject.toml .\nADD https://tools.example.dev/agent.tar.gz /opt/\n",
        )
    )
    facts = analyze("Dockerfile", DOCKERFILE, new)
    assert kinds(facts) == {
        "base-image-changed",
        "base-image-unpinned",
        "remote-script-piped-to-shell",
        "remote-add",
    }
    changed = next(f for f in facts if f.kind == "base-image-changed")
    assert changed.line == 2
    assert changed.detail_dict()["old"] == f"python:3.12-slim@{DIGEST}"
    assert next(f for f in facts if f.kind == "remote-add").line == 6


def test_dockerfile_benign(analyze: Analyze) -> None:
    new = DOCKERFILE.replace(
        "RUN pip install --no-cache-dir build \\\n    && python -m build --wheel",
        "# build the wheel\n"
        "RUN pip install --no-cache-dir build && \\\n    python -m build --wheel",
    )
    new = new.replace(
        "RUN pip install --no-cache-dir build && \\\n    python",
        "RUN pip install --no-cache-dir build \\\n    && python",
    )
    assert analyze("build/Dockerfile", DOCKERFILE, new) == []
    stage = DOCKERFILE + "FROM build AS test\nRUN pytest\n"
    assert analyze("Dockerfile", DOCKERFILE, stage) == []


def test_dockerfile_added_and_names(analyze: Analyze) -> None:
    facts = analyze("docker/api.Dockerfile", None, "FROM node:20\nRUN npm ci\n")
    assert kinds(facts) == {"base-image-changed", "base-image-unpinned"}
    assert analyze("Containerfile", "FROM scratch\n", "FROM scratch\nCOPY app /\n") == []


# Maven / Gradle -------------------------------------------------------------------------------

POM = """\
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.acme</groupId>
  <artifactId>ledger</artifactId>
  <version>2.3.0</version>
  <dependencies>
    <dependency>
      <groupId>com.fasterxml.jackson.core</groupId>
      <artifactId>jackson-databind</artifactId>
      <version>2.17.0</version>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <artifactId>maven-surefire-plugin</artifactId>
        <version>3.2.5</version>
      </plugin>
    </plugins>
  </build>
</project>
"""


def test_pom(analyze: Analyze) -> None:
    new = (
        POM.replace(
            "  <dependencies>",
            "  <repositories>\n    <repository>\n      <id>mirror</id>\n      <url>https://maven.evil.example/repo</url>\n"
            "    </repository>\n  </repositories>\n  <dependencies>",
        )
        .replace(
            "    </plugins>",
            "      <plugin>\n        <groupId>org.codehaus.mojo</groupId>\n"
            "        <artifactId>exec-maven-plugin</artifactId>\n"
            "        <version>3.2.0</version>\n      </plugin>\n    </plugins>",
        )
        .replace("<version>2.17.0</version>", "<version>2.17.1</version>")
    )
    facts = analyze("pom.xml", POM, new)
    assert kinds(facts) == {
        "maven-repository-added",
        "maven-plugin-added",
        "dependency-version-changed",
    }
    assert next(f for f in facts if f.kind == "maven-repository-added").line == 10
    assert (
        analyze(
            "pom.xml", POM, POM.replace("  <modelVersion>", "  <!-- model -->\n  <modelVersion>")
        )
        == []
    )
    assert kinds(analyze("pom.xml", POM, POM.replace("</project>", ""))) == {"parse-failed"}
    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><project>&a;</project>'
    assert kinds(analyze("pom.xml", POM, bomb)) == {"parse-failed"}


def test_gradle(analyze: Analyze) -> None:
    assert kinds(analyze("app/build.gradle.kts", "plugins {}\n", 'plugins { id("x") }\n')) == {
        "packaging-code-changed"
    }
    old = "distributionUrl=https\\://services.gradle.org/distributions/gradle-8.7-bin.zip\ndistributionSha256Sum=abc\n"
    new = "distributionUrl=https\\://mirror.example/gradle-8.8-bin.zip\n"
    facts = analyze("gradle/wrapper/gradle-wrapper.properties", old, new)
    assert kinds(facts) == {"toolchain-changed", "hash-removed"}


# Go -------------------------------------------------------------------------------------------

GO_MOD = """\
module github.com/acme/ledger

go 1.22

require (
	github.com/google/uuid v1.6.0
	golang.org/x/sync v0.7.0 // indirect
)
"""


def test_go_mod(analyze: Analyze) -> None:
    new = GO_MOD.replace("go 1.22", "go 1.22\n\ntoolchain go1.22.4").replace("v1.6.0", "v1.6.1") + (
        "\nreplace golang.org/x/sync => github.com/someone/sync v0.7.1\n"
    )
    facts = analyze("go.mod", GO_MOD, new)
    assert kinds(facts) == {"toolchain-changed", "dependency-version-changed", "go-replace-added"}
    assert next(f for f in facts if f.kind == "go-replace-added").line == 12
    assert analyze("go.mod", GO_MOD, GO_MOD.replace("// indirect", "// indirect, used by x")) == []
    assert kinds(analyze("go.mod", GO_MOD, GO_MOD + "require (\n")) == {"parse-failed"}


GO_SUM = """\
github.com/google/uuid v1.6.0 h1:a9hYpFAF4nPkAembLthiq5w8V3Fx/NiQvINZO34fsw5=
github.com/google/uuid v1.6.0/go.mod h1:EMh5tO3BcsvXUlvyW2zCp8XdS3o6VNm1YNo9d4XaV6h=
"""


def test_go_sum(analyze: Analyze) -> None:
    tampered = GO_SUM.replace("a9hYpFAF4nPkAem", "XXXXpFAF4nPkAem")
    assert kinds(analyze("go.sum", GO_SUM, tampered)) == {
        "integrity-changed-without-version-change"
    }
    assert analyze("go.sum", GO_SUM, GO_SUM + "\n") == []
    assert kinds(analyze("go.sum", GO_SUM, "not a go.sum line\n")) == {"parse-failed"}


# Rust -----------------------------------------------------------------------------------------

CARGO = """\
[package]
name = "ledgerd"
version = "0.4.1"
edition = "2021"

[dependencies]
serde = { version = "1.0", features = ["derive"] }
tokio = "1.37"
"""


def test_cargo_toml(analyze: Analyze) -> None:
    bumped = CARGO.replace('version = "0.4.1"', 'version = "0.4.2"')
    assert kinds(analyze("Cargo.toml", CARGO, bumped)) == {"version-changed", "version-bump-only"}
    new = (
        CARGO.replace(
            'tokio = "1.37"', 'tokio = { git = "https://github.com/fork/tokio", rev = "abc" }'
        ).replace('edition = "2021"', 'edition = "2021"\nbuild = "build.rs"')
        + '\n[patch.crates-io]\nserde = { path = "../serde" }\n'
    )
    facts = analyze("Cargo.toml", CARGO, new)
    assert {
        "dependency-source-changed",
        "packaging-code-changed",
        "dependency-version-changed",
    } <= kinds(facts)
    assert "version-bump-only" not in kinds(facts)
    assert (
        analyze("Cargo.toml", CARGO, CARGO.replace("[dependencies]", "# deps\n[dependencies]"))
        == []
    )


CARGO_LOCK = """\
version = 3

[[package]]
name = "ledgerd"
version = "0.4.1"

[[package]]
name = "serde"
version = "1.0.200"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "8078809dbeef048045cdf3ab1ad336408c7547ef6a141191686f6e137b2b04d6"
"""


def test_cargo_lock_and_build_rs(analyze: Analyze) -> None:
    bumped = CARGO_LOCK.replace("1.0.200", "1.0.201").replace("8078", "eeee")
    assert kinds(analyze("Cargo.lock", CARGO_LOCK, bumped)) == {
        "dependency-version-changed",
        "lockfile-version-refresh",
    }
    tampered = CARGO_LOCK.replace("8078", "eeee")
    assert kinds(analyze("Cargo.lock", CARGO_LOCK, tampered)) == {
        "integrity-changed-without-version-change"
    }
    sparse = CARGO_LOCK.replace(
        "registry+https://github.com/rust-lang/crates.io-index",
        "sparse+https://crates.evil.example/",
    )
    assert "registry-changed" in kinds(analyze("Cargo.lock", CARGO_LOCK, sparse))
    assert kinds(analyze("build.rs", None, "fn main() {}\n")) == {"packaging-code-changed"}


# Ruby -----------------------------------------------------------------------------------------

GEMFILE = """\
source "https://rubygems.org"

ruby "3.3.0"

gem "rails", "~> 7.1.3"
gem "pg", "~> 1.5"
"""


def test_gemfile(analyze: Analyze) -> None:
    new = GEMFILE.replace(
        'source "https://rubygems.org"',
        'source "https://rubygems.org"\nsource "https://gems.evil.example"',
    ) + ('gem "sidekiq", git: "https://github.com/fork/sidekiq"\n')
    facts = analyze("Gemfile", GEMFILE, new)
    assert kinds(facts) == {"gem-source-added", "dependency-added", "dependency-source-changed"}
    assert next(f for f in facts if f.kind == "gem-source-added").line == 2
    assert analyze("Gemfile", GEMFILE, GEMFILE.replace('gem "pg"', '# database\ngem "pg"')) == []


GEMFILE_LOCK = """\
GEM
  remote: https://rubygems.org/
  specs:
    pg (1.5.6)
    rack (3.0.10)

PLATFORMS
  x86_64-linux

DEPENDENCIES
  pg (~> 1.5)

BUNDLED WITH
   2.5.9
"""


def test_gemfile_lock(analyze: Analyze) -> None:
    bumped = GEMFILE_LOCK.replace("rack (3.0.10)", "rack (3.0.11)")
    facts = analyze("Gemfile.lock", GEMFILE_LOCK, bumped)
    assert kinds(facts) == {"dependency-version-changed", "lockfile-version-refresh"}
    assert next(f for f in facts if f.kind == "dependency-version-changed").line == 5
    git = GEMFILE_LOCK.replace(
        "GEM\n",
        "GIT\n  remote: https://github.com/fork/rack\n  revision: abc\n"
        "  specs:\n    rack (3.0.10)\n\nGEM\n",
    ).replace("    rack (3.0.10)\n\nPLATFORMS", "\nPLATFORMS")
    assert "dependency-source-changed" in kinds(analyze("Gemfile.lock", GEMFILE_LOCK, git))
    extra = GEMFILE_LOCK.replace(
        "PLATFORMS",
        "GEM\n  remote: https://gems.evil.example/\n  specs:\n    evil (0.1)\n\nPLATFORMS",
    )
    assert {"gem-source-added", "dependency-added"} <= kinds(
        analyze("Gemfile.lock", GEMFILE_LOCK, extra)
    )
    assert kinds(analyze("Gemfile.lock", GEMFILE_LOCK, "GEM\nbroken\n  specs\n")) == {
        "parse-failed"
    }
