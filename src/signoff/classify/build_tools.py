"""Build systems and packaging: make, CMake, Meson, Bazel, task runners, distro packaging.

Licence files are here: they ship inside every package and set the terms it is distributed under,
so changing one is a packaging change, not a docs edit. `mkdocs.yml` is here too: it names plugins
and hooks that run code during the docs build, which often deploys with write credentials.
"""

from __future__ import annotations

from signoff.classify.rules import AnyCase, RuleClassifier, specific
from signoff.taxonomy import FileClass

_LICENSE = "licence text shipped inside packages"


_NOTICES = "third-party licence notices distributed with the product"


class BuildTools(RuleClassifier):
    ident = "build-tools"
    desc = (
        "Makefiles, CMake, Meson, Bazel, just/Task, Nix, distro packaging, build scripts, licences"
    )
    rules = specific(
        FileClass.PACKAGING_BUILD,
        (AnyCase("Makefile*"), "Makefile: build and release targets"),
        ("GNUmakefile", "Makefile: build and release targets"),
        ("*.mk", "make include"),
        ("CMakeLists.txt", "CMake build"),
        ("*.cmake", "CMake module"),
        ("CMakePresets.json", "CMake presets"),
        ("meson.build", "Meson build"),
        ("meson_options.txt", "Meson options"),
        ("meson.options", "Meson options"),
        ("configure", "autoconf configure script"),
        ("configure.ac", "autoconf input"),
        (AnyCase("build*.sh"), "build script"),
        ("**/scripts/build*", "build script"),
        ("BUILD", "Bazel/Buck build file"),
        ("BUILD.bazel", "Bazel build file"),
        ("WORKSPACE", "Bazel workspace"),
        ("WORKSPACE.bazel", "Bazel workspace"),
        ("MODULE.bazel", "Bazel module dependencies"),
        ("*.bzl", "Bazel/Starlark build logic"),
        (".bazelrc", "Bazel flags"),
        (".bazelversion", "pins Bazel"),
        ("BUCK", "Buck build file"),
        ("pants.toml", "Pants build"),
        ("SConstruct", "SCons build"),
        ("SConscript", "SCons build"),
        ("build.ninja", "Ninja build"),
        (AnyCase("justfile"), "just recipes"),
        (".justfile", "just recipes"),
        ("*.just", "just recipes"),
        (AnyCase("Taskfile*.y*ml"), "Task recipes"),
        ("Earthfile", "Earthly build"),
        ("*.spec", "RPM spec"),
        ("debian/", "Debian packaging"),
        ("snapcraft.yaml", "Snap packaging"),
        ("snap/", "Snap packaging"),
        ("PKGBUILD", "Arch packaging"),
        ("*.ebuild", "Gentoo packaging"),
        ("flake.nix", "Nix flake"),
        ("*.nix", "Nix expression"),
        ("mkdocs.y*ml", "MkDocs config: plugins and hooks run code in the docs build"),
        ("Doxyfile", "Doxygen config: the API docs build"),
        ("DoxygenLayout.xml", "Doxygen config: the API docs build"),
        ("nix/", "Nix packaging and build support"),
        ("flatpak/", "Flatpak packaging"),
        (AnyCase("build.nu"), "build script"),
        (AnyCase("build.ps1"), "build script"),
        ("sqlc.y*ml", "sqlc: generates code at build time"),
        ("buf.gen.y*ml", "buf: generates code at build time"),
        ("diesel.toml", "Diesel: generates the schema code"),
        ("about.toml", "cargo-about: which licences the shipped notices accept"),
        ("about.hbs", "cargo-about: template of the licence notices shipped"),
        ("*.pc.in", "pkg-config template installed with the library"),
        (AnyCase("third-party-licenses*"), _NOTICES),
        (AnyCase("third_party_licenses*"), _NOTICES),
        (AnyCase("THIRD-PARTY-NOTICES*"), _NOTICES),
        (AnyCase("ThirdPartyNotices*"), _NOTICES),
        ("*NOTICES*", _NOTICES),
        (AnyCase("LICENSE"), _LICENSE),
        (AnyCase("LICENSE.*"), _LICENSE),
        (AnyCase("LICENSE-*"), _LICENSE),
        (AnyCase("LICENCE"), _LICENSE),
        (AnyCase("LICENCE.*"), _LICENSE),
        ("LICENSES/", _LICENSE),
        (AnyCase("COPYING"), _LICENSE),
        (AnyCase("COPYING.*"), _LICENSE),
        (AnyCase("NOTICE"), "NOTICE file distributions must carry"),
        (AnyCase("NOTICE.*"), "NOTICE file distributions must carry"),
    ) + specific(
        FileClass.LOCKFILE,
        ("flake.lock", "Nix flake lockfile"),
        ("MODULE.bazel.lock", "Bazel module lockfile"),
    )
