"""The errors signoff raises on purpose, caught once at each shell's boundary.

    Error                        any input or environment problem a person can fix
    ├── GitError                 git failed, a ref is unknown or ambiguous, not a repository
    ├── ConfigError              policy or registry is malformed (file, line, column, field)
    ├── SignatureError           ssh-keygen missing or a key is unusable
    ├── StoreError               the ledger's database cannot be reached or is inconsistent
    ├── MissingExtraError        an optional install is missing (signoff.extras)
    ├── RequestError             an approval asks for classes the change does not have
    │                            (signoff.approvals.request)
    ├── EventError               a ledger event that breaks its type's rules (signoff.ledger.events)
    ├── BundleError              an attestation bundle that does not verify
    │                            (signoff.ledger.bundle)
    ├── CheckpointError          a signed checkpoint that does not verify
    │                            (signoff.ledger.checkpoint)
    ├── AttestationError         a DSSE envelope that does not verify (signoff.attest.dsse)
    ├── AgentRefusedError        an agent asked to sign, publish or promote
    │                            (signoff.release.artifacts)
    ├── BrokerError              a push the task's token does not allow (signoff.broker.errors)
    ├── StateError               the monitor's state file is unusable (signoff.monitor.state)
    ├── ServerError              the control plane answered with an error (signoff.client)
    ├── GitHubError              GitHub's API refused or failed (signoff.github.api)
    ├── GitLabError              GitLab's API refused or failed (signoff.gitlab.notes)
    ├── SettingsError            a server setting is malformed (signoff.server.settings)
    └── ServiceError             an API request the server refuses, with its HTTP status
        │                        (signoff.server.errors)
        ├── InvalidInputError, NotFoundError, ConflictError, TooLargeError,
        │   NotReadyError (signoff.server.ops.service),
        │   RefusedError (signoff.server.broker.exchange),
        │   TooManyRequestsError (signoff.server.throttle),
        │   WebhookError (signoff.server.forges.service)
        ├── UnauthenticatedError
        │   └── OidcError        a sign-in the OpenID Connect provider did not confirm
        │                        (signoff.web.oidc)
        └── ForbiddenError
            └── CsrfError        (signoff.web.csrf)

Any other exception is a bug, not a user error (internal signals such as an analyzer's
`AnalysisError` are caught where they are raised, never at a shell). Leaf errors build their own
message so the CLI and the API word it the same way.
"""

from __future__ import annotations


class Error(Exception):
    """Base of every error a person can act on; ``str(err)`` is the one-line message."""

    def diagnostics(self) -> str:
        """A one-line message, plus a hint when the error carries one."""
        hint = getattr(self, "hint", None)
        return f"{self}\n  hint: {hint}" if hint else str(self)


class GitError(Error):
    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class ConfigError(Error):
    """A policy or registry problem located at ``file:line:column`` and a field path."""

    def __init__(
        self,
        message: str,
        *,
        file: str = "",
        line: int | None = None,
        column: int | None = None,
        field: str = "",
        hint: str | None = None,
    ) -> None:
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.hint = hint
        self.message = message
        where = file or "<policy>"
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        text = f"{where}: {field + ': ' if field else ''}{message}"
        if hint:
            text += f" ({hint})"
        super().__init__(text)

    def diagnostics(self) -> str:
        return str(self)


class SignatureError(Error):
    pass


class StoreError(Error):
    pass
