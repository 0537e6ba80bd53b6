"""Version files (generic): low on their own, and never a way to publish.

Code version files (`_version.py`, `version.go`) also match `source`, which comes first in the
generic order, so they stay medium: they are code that runs. A semantic analyzer can still report
"version bumped and nothing else".
"""

from __future__ import annotations

from signoff.classify.rules import RuleClassifier, generic
from signoff.taxonomy import FileClass


class VersionFiles(RuleClassifier):
    ident = "version-files"
    desc = "VERSION, version.txt, _version.py, __version__.py, version.go, version.rb"
    rules = generic(
        FileClass.VERSION,
        ("VERSION", "version file"),
        ("VERSION.txt", "version file"),
        ("version.txt", "version file"),
        (".version", "version file"),
        ("_version.py", "Python version module"),
        ("__version__.py", "Python version module"),
        ("version.go", "Go version constant"),
        ("version.rb", "Ruby gem version constant"),
        (".release-please-manifest.json", "release-please version manifest"),
    )
