""".NET: MSBuild projects, central package management, NuGet lockfiles, solution and SDK pins.

Project files list package references, so they are manifests; `.props`/`.targets` files are
MSBuild logic imported into every build, so they are `packaging-build`.
"""

from __future__ import annotations

from signoff.classify.rules import RuleClassifier, specific
from signoff.taxonomy import FileClass


class DotNet(RuleClassifier):
    ident = "dotnet"
    desc = "*.csproj/*.fsproj/*.vbproj, Directory.*.props/targets, NuGet lockfiles, *.sln"
    rules = (
        specific(
            FileClass.DEPENDENCY_MANIFEST,
            ("*.csproj", "C# project: package references and build settings"),
            ("*.fsproj", "F# project: package references and build settings"),
            ("*.vbproj", "VB project: package references and build settings"),
            ("packages.config", "NuGet package references"),
            ("Directory.Packages.props", "central package versions"),
            ("paket.dependencies", "Paket dependencies"),
        )
        + specific(
            FileClass.LOCKFILE,
            ("packages.lock.json", "NuGet lockfile"),
            ("paket.lock", "Paket lockfile"),
        )
        + specific(
            FileClass.PACKAGING_BUILD,
            ("Directory.Build.props", "MSBuild settings imported by every project"),
            ("Directory.Build.targets", "MSBuild targets imported by every project"),
            ("*.props", "MSBuild properties"),
            ("*.targets", "MSBuild targets"),
            ("*.sln", "solution file"),
            ("*.slnx", "solution file"),
            ("global.json", "pins the .NET SDK"),
            ("*.nuspec", "NuGet package specification"),
            ("**/.config/dotnet-tools.json", "local .NET tools run by the build"),
        )
    )
