"""Write git objects straight into a repository, for the history generators in `bench/`.

Blobs, trees and commits are hashed and stored as loose objects by Python (zlib, SHA-1), so a
thousand-commit history costs one process per *signed* commit only: `gpg` for OpenPGP and
`ssh-keygen -Y sign` for SSH, each signing the commit payload exactly as `git commit -S` does
(the `gpgsig` header added after `committer`). `git repack` packs everything at the end, as a
clone of a real project is packed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import zlib
from pathlib import Path

GIT_ENV = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


class ObjectStore:
    """Loose objects of one repository, written once each."""

    def __init__(self, git_dir: Path) -> None:
        self.objects = git_dir / "objects"
        self.written: set[str] = set()

    def write(self, kind: str, data: bytes) -> str:
        raw = b"%s %d\0" % (kind.encode(), len(data)) + data
        sha = hashlib.sha1(raw, usedforsecurity=False).hexdigest()
        if sha not in self.written:
            self.written.add(sha)
            folder = self.objects / sha[:2]
            folder.mkdir(exist_ok=True)
            (folder / sha[2:]).write_bytes(zlib.compress(raw, 1))
        return sha


class TreeState:
    """A work tree as path -> (mode, blob), with each directory's tree cached until it changes."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[str, str]] = {}
        self.dirs: dict[str, dict[str, tuple[str, str] | None]] = {"": {}}
        self.cache: dict[str, str] = {}

    def copy(self) -> TreeState:
        other = TreeState()
        other.files = dict(self.files)
        other.dirs = {d: dict(entries) for d, entries in self.dirs.items()}
        other.cache = dict(self.cache)
        return other

    def set(self, path: str, blob: str, mode: str = "100644") -> None:
        self.files[path] = (mode, blob)
        *parents, name = path.split("/")
        folder = ""
        for part in parents:
            child = f"{folder}/{part}" if folder else part
            self.dirs[folder][part] = None  # a subdirectory
            self.dirs.setdefault(child, {})
            self.cache.pop(folder, None)
            folder = child
        self.dirs[folder][name] = (mode, blob)
        self.cache.pop(folder, None)

    def remove(self, path: str) -> None:
        del self.files[path]
        *parents, name = path.split("/")
        chain = [""] + ["/".join(parents[: i + 1]) for i in range(len(parents))]
        del self.dirs[chain[-1]][name]
        for i in range(len(chain) - 1, -1, -1):
            self.cache.pop(chain[i], None)
            if i and not self.dirs[chain[i]]:
                del self.dirs[chain[i]]
                del self.dirs[chain[i - 1]][parents[i - 1]]

    def write(self, store: ObjectStore, folder: str = "") -> str:
        cached = self.cache.get(folder)
        if cached is not None:
            return cached
        entries: list[tuple[bytes, bytes, str]] = []
        for name, entry in self.dirs[folder].items():
            if entry is None:
                sub = self.write(store, f"{folder}/{name}" if folder else name)
                entries.append(((name + "/").encode(), b"40000 " + name.encode(), sub))
            else:
                entries.append((name.encode(), f"{entry[0]} {name}".encode(), entry[1]))
        entries.sort()
        data = b"".join(head + b"\0" + bytes.fromhex(sha) for _, head, sha in entries)
        sha = self.cache[folder] = store.write("tree", data)
        return sha


class Signers:
    """A throwaway OpenPGP key (in a private GNUPGHOME) and throwaway SSH keys."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.gnupg = home / "gnupg"
        self.gnupg.mkdir(mode=0o700)
        self.gpg_env = {**os.environ, "GNUPGHOME": str(self.gnupg)}
        uid = "GitHub (web-flow, throwaway bench key) <noreply@github.com>"
        self._gpg(["--quick-generate-key", uid, "ed25519", "sign", "never"], b"")
        self.ssh_keys: dict[str, Path] = {}

    def _gpg(self, args: list[str], data: bytes) -> bytes:
        argv = ["gpg", "--batch", "--yes", "--pinentry-mode", "loopback", "--passphrase", ""]
        proc = subprocess.run(argv + args, input=data, capture_output=True, env=self.gpg_env)
        if proc.returncode:
            raise SystemExit(f"gpg failed: {proc.stderr.decode(errors='replace')}")
        return proc.stdout

    def ssh_key(self, name: str) -> str:
        """A new ed25519 key for `name`; returns its public key line."""
        path = self.home / f"ssh-{name}"
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(path)],
            check=True,
        )
        self.ssh_keys[name] = path
        return " ".join(path.with_suffix(".pub").read_text().split()[:2])

    def sign(self, payload: bytes, how: str) -> bytes:
        """An armored signature over `payload`: `how` is "gpg" or "ssh:<key name>"."""
        if how == "gpg":
            return self._gpg(["--detach-sign", "--armor"], payload)
        key = self.ssh_keys[how.removeprefix("ssh:")]
        proc = subprocess.run(
            ["ssh-keygen", "-Y", "sign", "-n", "git", "-f", str(key)],
            input=payload,
            capture_output=True,
            check=True,
        )
        return proc.stdout

    def close(self) -> None:
        """Stop the gpg-agent this key started (it would outlive the temporary directory)."""
        subprocess.run(
            ["gpgconf", "--kill", "gpg-agent"], env=self.gpg_env, capture_output=True, check=False
        )


def commit_object(
    tree: str,
    parents: list[str],
    author: str,
    committer: str,
    message: str,
    signature: bytes | None = None,
) -> bytes:
    """The bytes of a commit object; `signature` goes in a `gpgsig` header after `committer`."""
    head = f"tree {tree}\n" + "".join(f"parent {p}\n" for p in parents)
    head += f"author {author}\ncommitter {committer}\n"
    sig = b""
    if signature is not None:
        lines = signature.rstrip(b"\n").split(b"\n")
        sig = b"gpgsig " + b"\n ".join(lines) + b"\n"
    return head.encode() + sig + b"\n" + message.encode()


def finish(repo: Path, refs: dict[str, str]) -> None:
    """Point the refs at their commits, then pack the loose objects as a clone would be packed."""
    for ref, sha in refs.items():
        path = repo / ".git" / ref
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(sha + "\n")
    subprocess.run(["git", "-C", str(repo), "repack", "-a", "-d", "-q"], check=True, env=GIT_ENV)
    subprocess.run(["git", "-C", str(repo), "prune-packed"], check=True, env=GIT_ENV)
