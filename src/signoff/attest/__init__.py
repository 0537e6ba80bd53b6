"""Attestations: DSSE envelopes around in-toto Statements v1, written as an in-toto bundle.

`dsse` is the envelope format (pure, spec cited beside the code), `statement` the in-toto
Statement and the SLSA VSA predicate, `keys` loads signing and verification keys, and `bundle`
writes and verifies the JSON Lines bundle `signoff release verify --attest-out` produces.
"""
