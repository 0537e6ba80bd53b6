"""Rust: Cargo manifests and lockfile, build scripts, toolchain pins and Cargo config."""

from __future__ import annotations

from signoff.classify.rules import RuleClassifier, specific
from signoff.taxonomy import FileClass


class Rust(RuleClassifier):
    ident = "rust"
    desc = "Cargo.toml, Cargo.lock, build.rs, rust-toolchain and .cargo/config"
    rules = (
        specific(FileClass.DEPENDENCY_MANIFEST, ("Cargo.toml", "Cargo package and dependencies"))
        + specific(FileClass.LOCKFILE, ("Cargo.lock", "Cargo lockfile"))
        + specific(
            FileClass.PACKAGING_BUILD,
            ("build.rs", "Cargo build script (runs at build)"),
            ("rust-toolchain*", "pins the Rust toolchain"),
            ("**/.cargo/config*", "Cargo config: registries, rustflags, linkers"),
        )
    )
