"""Signed approvals bound to content: digest, record, signature, storage, verification, matching.

`digest`, `record` and `apply` are pure; `verify` checks signatures in-process
(`signoff.identity.sshsig`); `sshsig` (signing with `ssh-keygen`) and `store` (git) are the thin
adapters; `check` wires them together for the gate.
"""
