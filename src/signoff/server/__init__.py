"""The control plane (`signoff serve`): identities, tokens, tasks, approvals, policies and
decisions behind one HTTP API, every write recorded in the ledger (docs/server.md).

Layout: ``settings``/``db``/``migrations``/``auth``/``errors``/``app`` are the shell; each
domain package (``identity``, ``tokens``, ``repos``, ``policies``, ``tasks``, ``approvals``,
``decisions``, ``ops``) has ``schemas`` (API models), ``service`` (rules, ledger writes; no web
framework), ``repository`` (SQL only) and ``endpoints`` (thin FastAPI routes). The CI gate never
imports this package (`check --server` speaks HTTP through `signoff.client`), and it needs the
``server`` extra: importing it without that extra is one line naming it (`signoff.extras`).
"""

from signoff.extras import require

require("server", "the control plane")
