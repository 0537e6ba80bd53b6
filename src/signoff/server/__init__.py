"""The control plane (`signoff serve`): identities, tokens, tasks, approvals, policies and
decisions behind one HTTP API, every write recorded in the ledger (DESIGN.md §2 mode 2).

Layout: ``settings``/``db``/``migrations``/``auth``/``errors``/``app`` are the shell; each
domain package (``identity``, ``tokens``, ``repos``, ``policies``, ``tasks``, ``approvals``,
``decisions``, ``ops``) has ``schemas`` (API models), ``service`` (rules, ledger writes; no web
framework), ``repository`` (SQL only) and ``endpoints`` (thin FastAPI routes). Nothing here is
imported by the CI gate unless it is given ``--server``.
"""
