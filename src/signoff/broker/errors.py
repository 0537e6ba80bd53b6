"""Broker refusals: one error type with a stable `code`, so the API, the hook and the ledger
name a refusal the same way.

    signoff.errors.Error
    └── BrokerError        code, message (one line)

Codes: `malformed`, `bad_header`, `unknown_kid`, `bad_signature`, `bad_claims`, `expired`,
`not_yet_valid`, `wrong_issuer`, `wrong_audience`, `untrusted` (no trust policy / claim
mismatch), `replayed`, `revoked`, `scope` (request exceeds what may be granted), `unavailable`
(JWKS or control plane unreachable).
"""

from __future__ import annotations

from signoff.errors import Error


class BrokerError(Error):
    """A token, proof or request the broker refuses; `str()` is one line."""

    def __init__(self, message: str, *, code: str = "refused") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
