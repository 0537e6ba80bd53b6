"""API models for artifact events, release verification, promotion and trace."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from signoff.gitio.refs import is_full_sha, ref_name_problem
from signoff.server.common import Digest, DisplayName, Id, Model, Out, Sha


def _ref(value: str) -> str:
    """A full commit id or a ref name by `git check-ref-format` rules (never an option)."""
    if not is_full_sha(value) and (why := ref_name_problem(value)) is not None:
        raise ValueError(f"not a commit id or ref name: it {why}")
    return value


#: A git ref or commit as the server's copy of the repository resolves it.
Ref = Annotated[str, Field(min_length=1, max_length=250), AfterValidator(_ref)]
#: An identity string a build system calls itself (`ci@example.com`, `buildkite:release`).
Identity = Annotated[str, Field(min_length=1, max_length=254, pattern=r"^[\x21-\x7e]+$")]
#: A file name as the builder knows it: one line, no control or invisible characters.
ArtifactName = DisplayName


class ArtifactBuiltIn(Model):
    digest: Digest
    commit: Sha = Field(description="Full SHA of the commit the artifact was built from.")
    name: ArtifactName | None = None
    builder: Identity | None = Field(
        None, description="Builder identity (default: the caller's e-mail or `service:<token>`)."
    )
    repo: Id | None = Field(None, description="A registered repository: checks its registry too.")


class ArtifactSignedIn(Model):
    digest: Digest
    commit: Sha | None = None
    name: ArtifactName | None = None
    signer: Identity | None = Field(
        None, description="Signer identity (default: the caller's e-mail or `service:<token>`)."
    )
    repo: Id | None = None


class ArtifactRecorded(Out):
    event: str
    ledger_seq: int
    leaf_hash: str
    digest: str
    actor: str
    identity: str = Field(description="The builder, signer or promoter the event names.")
    commit: str | None
    release: str | None = None


class ArtifactRef(Model):
    digest: Digest
    name: ArtifactName | None = None


class VerifyIn(Model):
    from_: Ref | None = Field(None, alias="from", description="The last release; default: root.")
    to: Ref = Field(description="The release candidate (a ref or SHA in the server's copy).")
    head: Sha | None = Field(
        None, description="The SHA the caller expects `to` to be; 409 when the copy differs."
    )
    tag: Ref | None = None
    artifacts: list[ArtifactRef] = Field(default_factory=list, max_length=100)
    attest: bool = Field(True, description="Sign a DSSE/in-toto bundle with the ledger key.")


class Promotion(Out):
    digest: str
    name: str
    by: str
    ledger_seq: int
    time: str


class ReleaseSummary(Out):
    id: str
    repo: str
    result: Literal["PASSED", "FAILED"]
    from_ref: str | None
    to_ref: str
    tag: str | None
    base: str
    head: str
    release_group: str
    verified_by: str
    created: str
    ledger_seq: int | None
    has_attestation: bool
    failures: int
    artifacts: list[str]
    promotions: list[Promotion]


class ReleaseOut(ReleaseSummary):
    notes: list[str] = Field(description="The server's own remarks (e.g. policy drift).")
    report: dict[str, Any] = Field(description="The `signoff.release/v1` report.")
    revocations: list[str] = Field(
        default_factory=list,
        description="Revocations recorded after this verification that reach its commits: "
        "while any is listed the release no longer stands (not promotable; its attestation "
        "fails `signoff attest verify --check-revocations`).",
    )


class RevocationCheckIn(Model):
    statement: dict[str, Any] = Field(
        description="An in-toto Statement from a verified bundle (its subjects and, for a VSA, "
        "its timeVerified are read)."
    )


class RevocationCheckOut(Out):
    problems: list[str]


class PromoteIn(Model):
    digests: list[Digest] = Field(
        default_factory=list,
        max_length=100,
        description="Artifacts of this release to promote; default: all of them.",
    )


class PromoteOut(Out):
    release: ReleaseOut
    recorded: list[ArtifactRecorded]


class TraceOut(Out):
    trace: dict[str, Any] = Field(description="`signoff.trace/v1`: nodes, edges, touched.")
    text: str
    mermaid: str
    dot: str
