"""App mode on a code host: the server receives the host's webhooks, runs the gate on its own
clone and reports a check run (docs/github.md). One module per concern: `config` (the App's
settings), `webhook` (signature and event parsing, pure), `tables` (deliveries seen, pull
requests followed), `evaluate` (fetch, gate, check run), `service` (one delivery end to end),
`endpoints` (the route)."""
