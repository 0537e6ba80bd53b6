"""The token broker's HTTP shell: task tokens, trust policies, introspection, revocation and
witnessed pushes. The rules live in `signoff.broker`; this package stores state and
records every step in the ledger."""
