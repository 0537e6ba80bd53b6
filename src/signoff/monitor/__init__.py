"""Monitoring: alert rules over a snapshot of git, the ledger and the registry (docs/monitoring.md).

Layout: `alerts` (the Alert model), `config` (thresholds from `.signoff/monitor.yml`), `model`
(the plain Snapshot the rules read), `snapshot` (the only module that does I/O to build it),
`rules/` (one module per rule family, an explicit ordered registry), `engine` (run the rules,
merge with dedup state), `state`, `webhook`, `metrics`, and `report/` (the compliance report).
"""
