"""Generate a history shaped like a real project's, for `bench/real_speed.py`.

About 1,000 commits landing about 1,500 files of real source text (this Python's site-packages:
code, stubs, docs), written the way real projects grow: an initial import, then pull requests of
one to five commits merged by GitHub (merge commits and squashes), direct pushes by maintainers,
Copilot coding-agent pull requests, Claude Code commits with their trailers, commits co-authored
by Copilot, Dependabot and Renovate bumping a package-lock.json and a poetry.lock, and edits to
the workflows. Signatures are real and made with throwaway keys generated in the temporary
directory: GitHub's web-flow commits (merges, squashes, bot and agent commits) carry an OpenPGP
signature, two maintainers sign with SSH keys listed in `.signoff/allowed_signers`, and some Claude
Code commits are signed with an SSH key registered to the agent.

Deterministic given the seed and the installed packages (the same files, edits, authors, dates
and messages), except the signatures and therefore the SHAs of signed commits and their
descendants: new keys are generated on every run.

Run: ``python bench/gen_real_history.py /tmp/real --commits 1000 --files 1500 --seed 7``.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gitwrite import GIT_ENV, ObjectStore, Signers, TreeState, commit_object, finish
from real_corpus import Locks, distribution_names, source_files, workflows

TEMPLATES = Path(__file__).resolve().parent.parent / "src/signoff/templates"
CLAUDE = ("\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\n"
          "Co-Authored-By: Claude <noreply@anthropic.com>")  # fmt: skip
COPILOT_COAUTHOR = "\n\nCo-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>"
GITHUB = ("GitHub", "noreply@github.com")
COPILOT = ("copilot-swe-agent[bot]", "198982749+Copilot@users.noreply.github.com")
DEPENDABOT = ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com")
RENOVATE = ("renovate[bot]", "29139614+renovate[bot]@users.noreply.github.com")
#: name, e-mail, login, how their own commits are signed ("ssh:<key>", "gpg" or "")
HUMANS = [
    ("Alice Maintainer", "alice@example.com", "alice", "ssh:alice"),
    ("Bob Reviewer", "bob@example.com", "bob", "ssh:bob"),
    ("Carol Developer", "carol@example.com", "carol", ""),
    ("Dan Contributor", "dan@example.com", "dan", ""),
    ("Erin Operator", "erin@example.com", "erin", "gpg"),
]
VERBS = ["Fix", "Add", "Refactor", "Update", "Handle", "Document", "Simplify", "Test", "Speed up"]
TOPICS = ["parsing of empty input", "error messages", "the retry loop", "config loading",
          "type hints", "logging", "the CLI help", "edge cases in paths", "docs build",
          "timeouts", "Windows paths", "unicode names", "the cache", "flaky test"]  # fmt: skip


@dataclass
class Stats:
    commits: int = 0
    merges: int = 0
    gpg: int = 0
    ssh: int = 0
    files: int = 0  # at main


class History:
    """The repository being written: object store, main's tree, its head, the clock."""

    def __init__(self, repo: Path, rng: random.Random, signers: Signers, target: int) -> None:
        self.repo, self.rng, self.signers, self.target = repo, rng, signers, target
        self.store = ObjectStore(repo / ".git")
        self.main = TreeState()
        self.head = ""
        self.ts = 1_672_531_200  # 2023-01-01
        self.stats = Stats()
        self.pr_number = 0
        self.texts: dict[str, bytes] = {}

    def tick(self) -> int:
        self.ts += self.rng.randint(120, 30_000)
        return self.ts

    def put(self, state: TreeState, path: str, data: bytes) -> None:
        blob = self.store.write("blob", data)
        self.texts[blob] = data
        state.set(path, blob)

    def text(self, state: TreeState, path: str) -> str:
        return self.texts[state.files[path][1]].decode()

    def commit(
        self,
        state: TreeState,
        parents: list[str],
        author: tuple[str, str],
        message: str,
        committer: tuple[str, str] | None = None,
        sign: str = "",
    ) -> str:
        when = self.tick()
        committer = committer or author
        who = f"{author[0]} <{author[1]}> {when - self.rng.randint(0, 600)} +0000"
        by = f"{committer[0]} <{committer[1]}> {when} +0000"
        tree = state.write(self.store)
        payload = commit_object(tree, parents, who, by, message)
        signature = self.signers.sign(payload, sign) if sign else None
        data = commit_object(tree, parents, who, by, message, signature)
        self.stats.commits += 1
        self.stats.merges += len(parents) > 1
        self.stats.gpg += sign == "gpg"
        self.stats.ssh += sign.startswith("ssh:")
        return self.store.write("commit", data)


class Project:
    """What changes: the source files not yet added, the ones present, locks and workflows."""

    def __init__(self, history: History, corpus: list[tuple[str, bytes]], target: int) -> None:
        self.h = history
        rng = history.rng
        self.pending = rng.sample(corpus, min(target, len(corpus)))
        self.donors = [data.decode() for _, data in corpus]
        # The locks draw from their own generator: how many packages this machine has installed
        # must not shift the history's other random choices (the same seed, the same history).
        self.locks = Locks(random.Random(rng.getrandbits(64)), distribution_names(), 1_200)
        self.workflow_rev = 0

    def donor_lines(self, count: int) -> list[str]:
        donor = self.h.rng.choice(self.donors).splitlines(keepends=True)
        start = self.h.rng.randrange(max(1, len(donor) - count))
        return donor[start : start + count] or ["\n"]

    def add_files(self, state: TreeState, count: int) -> list[str]:
        added = []
        for _ in range(min(count, len(self.pending))):
            path, data = self.pending.pop()
            self.h.put(state, path, data)
            added.append(path)
        return added

    def edit(self, state: TreeState, path: str) -> None:
        """Replace, insert or delete a hunk of lines, with real lines from another file."""
        rng = self.h.rng
        lines = self.h.text(state, path).splitlines(keepends=True)
        at = rng.randrange(len(lines) + 1)
        op = rng.random()
        if op < 0.5 and lines:
            lines[at : at + rng.randint(1, 12)] = self.donor_lines(rng.randint(1, 15))
        elif op < 0.85:
            lines[at:at] = self.donor_lines(rng.randint(3, 40))
        else:
            del lines[at : at + rng.randint(1, 20)]
        self.h.put(state, path, "".join(lines).encode())

    def code_change(self, state: TreeState, remaining: int, avoid: set[str]) -> list[str]:
        """Add, edit, delete or rename source files the way one ordinary commit does."""
        rng = self.h.rng
        mean_adds = len(self.pending) / max(remaining, 1)
        touched = self.add_files(state, int(mean_adds) + (rng.random() < mean_adds % 1))
        present = sorted(p for p in state.files if p.startswith(("src/", "docs/")))
        present = [p for p in present if p not in avoid and p not in touched]
        for path in rng.sample(present, min(len(present), rng.choice([1, 1, 1, 2, 2, 3, 4]))):
            self.edit(state, path)
            touched.append(path)
        spare = [p for p in present if p not in touched]
        if spare and rng.random() < 0.02:
            gone = rng.choice(spare)
            state.remove(gone)
            touched.append(gone)
        elif spare and rng.random() < 0.015:
            old = rng.choice(spare)
            new = old.replace("/", "/legacy/", 1)
            if new not in state.files:
                mode, blob = state.files[old]
                state.remove(old)
                state.set(new, blob, mode)
                touched += [old, new]
        return touched

    def bump_locks(self, state: TreeState, npm: bool) -> tuple[str, list[str]]:
        if npm:
            moved = self.locks.bump_npm(self.h.rng.randint(1, 25))
            self.h.put(state, "package-lock.json", self.locks.package_lock())
            self.h.put(state, "package.json", self.locks.package_json())
            return "package-lock.json", moved
        moved = self.locks.bump_py(self.h.rng.randint(1, 6))
        self.h.put(state, "poetry.lock", self.locks.poetry_lock())
        return "poetry.lock", moved

    def bump_workflows(self, state: TreeState) -> None:
        self.workflow_rev += 1
        for path, data in workflows(self.workflow_rev).items():
            self.h.put(state, path, data)


def subject(rng: random.Random, paths: list[str]) -> str:
    name = paths[0].rsplit("/", 1)[-1] if paths else "the build"
    return f"{rng.choice(VERBS)} {rng.choice(TOPICS)} in {name}"


def base_commit(h: History, p: Project) -> str:
    """The protected base: policy, registry (with an agent key), allowed signers, a skeleton."""
    keys = {name: h.signers.ssh_key(name) for name in ("alice", "bob", "claude-agent")}
    agents = (TEMPLATES / "agents.yml").read_text()
    anchor = "      catalog: [claude-code]\n"
    if anchor not in agents:
        raise SystemExit(f"{TEMPLATES / 'agents.yml'}: no claude-code entry to add a key to")
    agents = agents.replace(anchor, anchor + f'      signing_keys: ["{keys["claude-agent"]}"]\n')
    signers = f"alice@example.com {keys['alice']}\nbob@example.com {keys['bob']}\n"
    h.put(h.main, ".signoff/policy.yml", (TEMPLATES / "policy.yml").read_bytes())
    h.put(h.main, ".signoff/agents.yml", agents.encode())
    h.put(h.main, ".signoff/allowed_signers", signers.encode())
    h.put(h.main, "README.md", b"# bench-app\n\nA project shaped like a real one.\n")
    h.put(h.main, "LICENSE", b"Apache License\nVersion 2.0, January 2004\n")
    p.bump_workflows(h.main)
    h.put(h.main, "package.json", p.locks.package_json())
    h.put(h.main, "package-lock.json", p.locks.package_lock())
    h.put(h.main, "poetry.lock", p.locks.poetry_lock())
    h.head = h.commit(h.main, [], HUMANS[0][:2], "Initial commit", sign="ssh:alice")
    return h.head


@dataclass
class Work:
    """One pull request's commits before it is merged: how each is made and what it touches."""

    kind: str
    author: tuple[str, str, str, str]
    state: TreeState
    commits: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)


def _message(h: History, work: Work, title: str, first: bool) -> tuple[tuple[str, str], str, str]:
    """(author, message, signing) of one commit of `work`."""
    name, email, _, own = work.author
    if work.kind == "copilot-agent":
        text = "Initial plan" if first else title
        return COPILOT, f"{text}\n\nCo-authored-by: {name} <{email}>", "gpg"
    if work.kind == "claude":
        sign = "ssh:claude-agent" if h.rng.random() < 0.4 else own
        return (name, email), title + CLAUDE, sign
    if work.kind == "copilot-coauthor":
        return (name, email), title + COPILOT_COAUTHOR, own
    return (name, email), title, own


def pull_request(h: History, p: Project, kind: str, squash: bool) -> None:
    """A branch of one to five commits, maybe main moving meanwhile, then GitHub merging it."""
    rng = h.rng
    h.pr_number += 1
    work = Work(kind, rng.choice(HUMANS), h.main.copy())
    parent = h.head
    size = min(rng.randint(1, 5), max(1, h_left(h) - 2))
    for i in range(size):
        if kind == "workflow":
            p.bump_workflows(work.state)
            touched = [".github/workflows/ci.yml", ".github/workflows/release.yml"]
        elif kind == "copilot-agent" and i == 0:
            touched = []  # the agent's "Initial plan" commit changes nothing
        else:
            touched = p.code_change(work.state, h_left(h), set())
        title = subject(rng, touched)
        work.touched.update(touched)
        work.subjects.append(title)
        if not squash:
            author, message, sign = _message(h, work, title, i == 0)
            by = GITHUB if sign == "gpg" else None  # OpenPGP here is GitHub's web-flow key
            parent = h.commit(work.state, [parent], author, message, by, sign)
            work.commits.append(parent)
    if rng.random() < 0.3:  # main moves on before the merge
        direct_push(h, p, avoid=work.touched)
    for path in sorted(work.touched):
        if path in work.state.files:
            mode, blob = work.state.files[path]
            h.main.set(path, blob, mode)
        elif path in h.main.files:
            h.main.remove(path)
    merge(h, work, squash)


def merge(h: History, work: Work, squash: bool) -> None:
    name, email, login, _ = work.author
    title = work.subjects[-1]
    if squash:
        author = COPILOT if work.kind == "copilot-agent" else (name, email)
        body = "".join(f"* {s}\n" for s in work.subjects)
        trailer = {"claude": CLAUDE, "copilot-coauthor": COPILOT_COAUTHOR}.get(work.kind, "")
        if work.kind == "copilot-agent":
            trailer = f"\n\nCo-authored-by: {name} <{email}>"
        message = f"{title} (#{h.pr_number})\n\n{body}{trailer}"
        h.head = h.commit(h.main, [h.head], author, message, GITHUB, "gpg")
        return
    merger = h.rng.choice(HUMANS[:2])
    message = f"Merge pull request #{h.pr_number} from {login}/{work.kind}-{h.pr_number}\n\n{title}"
    h.head = h.commit(h.main, [h.head, work.commits[-1]], merger[:2], message, GITHUB, "gpg")


def direct_push(h: History, p: Project, avoid: set[str] | None = None) -> None:
    name, email, _, sign = h.rng.choice(HUMANS[:2])
    touched = p.code_change(h.main, h_left(h), avoid or set())
    h.head = h.commit(h.main, [h.head], (name, email), subject(h.rng, touched), sign=sign)


def bot_bump(h: History, p: Project) -> None:
    """Dependabot bumps the npm lock, Renovate the poetry lock; a maintainer merges on GitHub."""
    npm = h.rng.random() < 0.6
    h.pr_number += 1
    state = h.main.copy()
    path, moved = p.bump_locks(state, npm)
    bot = DEPENDABOT if npm else RENOVATE
    if npm:
        title = f"Bump {moved[0]}" + (f" and {len(moved) - 1} others" if len(moved) > 1 else "")
        body = "\n\n---\nupdated-dependencies:\n" + "".join(
            f"- dependency-name: {m}\n  dependency-type: indirect\n" for m in moved
        )
        message = title + body + "\n\nSigned-off-by: dependabot[bot] <support@github.com>"
    else:
        message = f"chore(deps): update dependency {moved[0]}"
    tip = h.commit(state, [h.head], bot, message, GITHUB, "gpg")
    for changed in {path, "package.json"} if npm else {path}:
        mode, blob = state.files[changed]
        h.main.set(changed, blob, mode)
    merger = h.rng.choice(HUMANS[:2])
    merge_msg = (
        f"Merge pull request #{h.pr_number} from {bot[0]}/{path}\n\n{message.splitlines()[0]}"
    )
    h.head = h.commit(h.main, [h.head, tip], merger[:2], merge_msg, GITHUB, "gpg")


def h_left(h: History) -> int:
    return h.target - h.stats.commits


PR_KINDS = ["human"] * 8 + ["claude"] * 5 + ["copilot-agent"] * 3 + ["copilot-coauthor"] * 4


def generate(
    repo: Path, commits: int = 1_000, files: int = 1_500, seed: int = 7, corpus: Path | None = None
) -> Stats:
    """Write the history into a new repository at `repo`: `base` tags the root, `main` the tip.

    The source text comes from `corpus` (default: this Python's site-packages)."""
    rng = random.Random(seed)
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True, env=GIT_ENV)
    with tempfile.TemporaryDirectory(prefix="signoff-keys-") as keys:
        signers = Signers(Path(keys))
        try:
            h = History(repo, rng, signers, commits)
            p = Project(h, source_files(corpus), files)
            base = base_commit(h, p)
            h.stats = Stats()  # what the range base..main holds
            touched = p.add_files(h.main, files // 4)
            note = f"Import the project\n\n{len(touched)} files."
            h.head = h.commit(h.main, [h.head], HUMANS[0][:2], note, sign="ssh:alice")
            while h.stats.commits < commits:
                roll = rng.random()
                if roll < 0.08 and h_left(h) >= 2:
                    bot_bump(h, p)
                elif roll < 0.11:
                    pull_request(h, p, "workflow", squash=False)
                elif roll < 0.25 or h_left(h) < 3:
                    direct_push(h, p)
                else:
                    pull_request(h, p, rng.choice(PR_KINDS), squash=rng.random() < 0.3)
        finally:
            signers.close()
    finish(repo, {"refs/heads/main": h.head, "refs/tags/base": base})
    subprocess.run(["git", "-C", str(repo), "reset", "-q", "--hard"], check=True, env=GIT_ENV)
    h.stats.files = len(h.main.files)
    return h.stats


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("path", type=Path)
    ap.add_argument("--commits", type=int, default=1_000)
    ap.add_argument("--files", type=int, default=1_500)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    stats = generate(args.path, args.commits, args.files, args.seed)
    print(
        f"{stats.commits} commits ({stats.merges} merges; signed: {stats.gpg} OpenPGP, "
        f"{stats.ssh} SSH), {stats.files} files at main; range base..main"
    )


if __name__ == "__main__":
    main()
