"""Ruby: Bundler manifests and lockfile, gemspecs, Rake tasks."""

from __future__ import annotations

from signoff.classify.rules import RuleClassifier, specific
from signoff.taxonomy import FileClass


class Ruby(RuleClassifier):
    ident = "ruby"
    desc = "Gemfile, Gemfile.lock, *.gemspec, Rakefile and Bundler config"
    rules = (
        specific(
            FileClass.DEPENDENCY_MANIFEST,
            ("Gemfile", "Bundler dependencies"),
            ("gems.rb", "Bundler dependencies"),
            ("*.gemspec", "gem specification: dependencies and packaged files"),
        )
        + specific(
            FileClass.LOCKFILE,
            ("Gemfile.lock", "Bundler lockfile"),
            ("gems.locked", "Bundler lockfile"),
        )
        + specific(
            FileClass.PACKAGING_BUILD,
            ("Rakefile", "Rake tasks (often build and release)"),
            ("*.rake", "Rake tasks"),
            ("**/.bundle/config", "Bundler settings: sources and paths"),
        )
    )
