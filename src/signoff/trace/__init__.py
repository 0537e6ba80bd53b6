"""`signoff trace`: artifact -> release -> commits -> tasks -> intents -> tokens -> approvals ->
signatures, and back. `graph` builds a typed graph from ledger events (plus git for commit
details); `render` writes it as text, JSON, Mermaid or Graphviz DOT.
"""
