"""Signed approvals bound to content: digest, record, signature, storage, verification, matching.

`digest`, `record` and `apply` are pure; `sshsig` and `store` are the thin adapters around
`ssh-keygen` and git; `check` wires them together for the gate.
"""
