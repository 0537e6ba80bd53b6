"""`signoff check --format json`, fast: exactly ``json.dumps(to_dict(decision))``, in ASCII.

A hot-path trick, fenced in this one module. `signoff.output.json_v1.to_dict` is the plain
reference, and the tests (tests/output/test_json_fast.py) compare the two on generated and real
decisions byte for byte. A long range has thousands of commits but few distinct attributions:
commits attributed alike share one interned profile (`signoff.attribution.attribute.Profile`),
so each profile is encoded once and every commit only adds its SHA and subject. The list of
commits can be written while git still walks the range (`CommitsEncoder.add` as the gate's
``on_commit``).
"""

from __future__ import annotations

import json
from itertools import repeat
from operator import attrgetter, is_

from signoff.attribution.attribute import Attribution, Profile
from signoff.decision import Decision
from signoff.output.json_v1 import commit_dict, to_dict


def dumps(decision: Decision, commits: CommitsEncoder | None = None) -> str:
    """Exactly ``json.dumps(to_dict(decision))``, compact and ASCII, plus a newline.

    surrogateescape'd bytes in paths become \\udcxx escapes: valid JSON, lossless. `commits`,
    fed while the gate attributed the range, is used when it holds exactly the decision's
    commits."""
    doc = to_dict(decision, commits=False)
    keys = list(doc)
    at = keys.index("commits")  # the key just before "files"
    before = _encode({k: doc[k] for k in keys[:at]})
    after = _encode({k: doc[k] for k in keys[at + 1 :]})
    listed = commits.pieces(decision) if commits is not None else None
    if listed is None:
        encoder = CommitsEncoder()
        get = decision.commit_subjects.get
        for c in decision.commits:
            encoder.add(c, get(c.sha, ""))
        listed = encoder.listed()
    return "".join([before[:-1], ',"commits":', *listed, ",", after[1:], "\n"])


_encode = json.JSONEncoder(ensure_ascii=True, separators=(",", ":")).encode
_string = json.encoder.encode_basestring_ascii
_SHA = attrgetter("sha")


class CommitsEncoder:
    """The ``commits`` list of `dumps`, encoded one commit at a time.

    Give `add` to `signoff.gate.check.run_check` as its ``on_commit``: over a long range most of
    the JSON is then written while git is still walking the range. `pieces` hands it out only if
    the decision holds exactly the commits (the same objects) and subjects that were added; a
    commit changed afterwards (a push the control plane witnessed) means encoding anew.
    """

    __slots__ = ("_added", "_parts", "_shared", "_subjects")

    def __init__(self) -> None:
        self._shared: dict[Profile, str] = {}  # each profile's encoded text
        self._parts: list[str] = []
        self._added: list[Attribution] = []
        self._subjects: list[str] = []

    def add(self, a: Attribution, subject: str) -> None:
        shared = self._shared.get(a.profile)
        if shared is None:
            d = commit_dict(a, "")
            del d["sha"], d["subject"]
            shared = self._shared[a.profile] = "," + _encode(d)[1:] + ","
        # The shared part is a piece of its own: only the SHA and subject are new text.
        self._parts += (f'{{"sha":{_string(a.sha)},"subject":{_string(subject)}', shared)
        self._added.append(a)
        self._subjects.append(subject)

    def pieces(self, decision: Decision) -> list[str] | None:
        """The list's text in pieces, or None when the decision's commits are not those."""
        commits = decision.commits
        if len(commits) != len(self._added) or not all(map(is_, commits, self._added)):
            return None
        subjects = decision.commit_subjects.get
        if list(map(subjects, map(_SHA, commits), repeat(""))) != self._subjects:
            return None
        return self.listed()

    def listed(self) -> list[str]:
        """The text of everything added, in pieces."""
        if not self._parts:
            return ["[]"]
        return ["[", *self._parts[:-1], self._parts[-1][:-1], "]"]  # no comma after the last
