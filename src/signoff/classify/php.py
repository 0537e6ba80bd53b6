"""PHP: Composer manifest and lockfile (Composer's auth.json is in signing-publishing)."""

from __future__ import annotations

from signoff.classify.rules import RuleClassifier, specific
from signoff.taxonomy import FileClass


class PHP(RuleClassifier):
    ident = "php"
    desc = "composer.json and composer.lock"
    rules = specific(
        FileClass.DEPENDENCY_MANIFEST, ("composer.json", "Composer dependencies and scripts")
    ) + specific(
        FileClass.LOCKFILE,
        ("composer.lock", "Composer lockfile"),
        ("symfony.lock", "Symfony Flex recipe lock"),
    )
