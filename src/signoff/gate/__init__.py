"""Deciding a commit range: the one path every shell (CLI, API, hook, release) takes to a decision.

Kept free of imports: `signoff check` begins the gate's git work (`signoff.cli.prefetch`) before
the rest of the package has loaded. docs/architecture.md shows how the modules fit together.
"""
