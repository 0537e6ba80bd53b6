"""The release gate (docs/release.md): nothing ships that was not signed off.

`verify` is the core (`verify_release`), `artifacts` records and checks artifact events, `tags`
checks the release tag, `report` renders the result, `events` is the narrow read/append interface
to the ledger that the CLI (and later the server) hands to the core. See docs/release.md.
"""
