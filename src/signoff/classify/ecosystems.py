"""Smaller ecosystems (Swift, Dart, Elixir, Haskell, C/C++, R, Julia, Erlang, Clojure, Perl, Zig)
and vendored third-party code, which ships as-is and so counts as a dependency change."""

from __future__ import annotations

from signoff.classify.rules import RuleClassifier, specific
from signoff.taxonomy import FileClass


class OtherEcosystems(RuleClassifier):
    ident = "other-ecosystems"
    desc = "manifests and lockfiles of smaller ecosystems, and vendored dependencies"
    rules = (
        specific(
            FileClass.DEPENDENCY_MANIFEST,
            ("Package.swift", "Swift package"),
            ("Podfile", "CocoaPods dependencies"),
            ("*.podspec", "CocoaPods specification"),
            ("Cartfile", "Carthage dependencies"),
            ("pubspec.yaml", "Dart/Flutter package"),
            ("mix.exs", "Elixir project"),
            ("*.cabal", "Cabal package"),
            ("cabal.project*", "Cabal project"),
            ("stack.yaml", "Stack project"),
            ("conanfile.txt", "Conan dependencies"),
            ("conanfile.py", "Conan recipe (code)"),
            ("vcpkg.json", "vcpkg dependencies"),
            ("vcpkg-configuration.json", "vcpkg registries"),
            ("DESCRIPTION", "R package"),
            ("Project.toml", "Julia project"),
            ("rebar.config", "rebar3 project"),
            ("project.clj", "Leiningen project"),
            ("deps.edn", "Clojure dependencies"),
            ("cpanfile", "Perl dependencies"),
            ("build.zig.zon", "Zig package"),
            ("vendor/", "vendored third-party code"),
            ("third_party/", "vendored third-party code"),
            ("third-party/", "vendored third-party code"),
            ("node_modules/", "installed npm packages committed to the repository"),
        )
        + specific(
            FileClass.LOCKFILE,
            ("Package.resolved", "SwiftPM lockfile"),
            ("Podfile.lock", "CocoaPods lockfile"),
            ("Cartfile.resolved", "Carthage lockfile"),
            ("pubspec.lock", "Dart lockfile"),
            ("mix.lock", "Elixir lockfile"),
            ("stack.yaml.lock", "Stack lockfile"),
            ("conan.lock", "Conan lockfile"),
            ("renv.lock", "renv lockfile"),
            ("Manifest.toml", "Julia lockfile"),
            ("rebar.lock", "rebar3 lockfile"),
            ("cpanfile.snapshot", "Carton lockfile"),
        )
        + specific(
            FileClass.PACKAGING_BUILD,
            ("Makefile.PL", "Perl build script"),
            ("Build.PL", "Perl build script"),
            ("build.zig", "Zig build script"),
        )
    )
