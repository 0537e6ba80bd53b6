"""Changelogs and release notes: was an entry *added*, or was history rewritten?

Strict on purpose, because ``changelog-entry-added`` is a fact an auto lane may admit: every line
of the old file must survive unchanged and in order (trailing whitespace aside), so the change is
insertions only. Anything else (an edited, removed or reordered line) is ``changelog-edited``.
Added lines that tell users to pipe a remote script to a shell, or point them at a download host
the file never named, are facts of their own that no auto lane admits unless it names them.
"""

from __future__ import annotations

import difflib

from signoff.analysis._instructions import instructions
from signoff.analysis._lines import added_lines
from signoff.analysis._text import decode
from signoff.analysis.base import Analyzer
from signoff.facts import Fact


class ChangelogAnalyzer(Analyzer):
    ident = "changelog"
    desc = "changelog and release-notes files: entries added vs history edited"

    def analyze(self, path: str, old: bytes | None, new: bytes | None) -> list[Fact]:
        old_text, new_text = decode(old, "old"), decode(new, "new")
        if new_text is None:
            return [self.fact("changelog-edited", path, "changelog deleted")]
        before = [line.rstrip() for line in (old_text or "").splitlines()]
        after = [line.rstrip() for line in new_text.splitlines()]
        matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
        inserted: list[int] = []
        edited: list[int] = []
        for op, _i1, _i2, j1, j2 in matcher.get_opcodes():
            if op == "insert":
                inserted.extend(range(j1 + 1, j2 + 1))
            elif op != "equal":
                edited.append(min(j1 + 1, max(len(after), 1)))
        facts: list[Fact] = []
        if edited:
            text = f"existing changelog lines edited or removed ({len(edited)} place(s))"
            facts.append(self.fact("changelog-edited", path, text, line=edited[0]))
        elif any(after[n - 1].strip() for n in inserted):
            text = f"changelog entry added ({len(inserted)} line(s), nothing else changed)"
            facts.append(self.fact("changelog-entry-added", path, text, line=inserted[0]))
        for found in instructions(old_text, added_lines(old_text, new_text)):
            if found.kind == "pipe":
                text = f"tells users to pipe a remote script to a shell: `{found.text}`"
                facts.append(self.fact("pipe-to-shell-added", path, text,
                                       line=found.line, command=found.text))  # fmt: skip
            else:
                text = f"points users at a download host it never named: {found.text}"
                facts.append(self.fact("download-host-added", path, text,
                                       line=found.line, host=found.text))  # fmt: skip
        return facts


#: The analyzers this module provides, for the registry (`signoff.analysis`).
ANALYZERS: tuple[type[Analyzer], ...] = (ChangelogAnalyzer,)
