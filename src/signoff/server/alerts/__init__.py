"""Alerts in the control plane: the periodic monitor job, its store, `GET /v1/alerts`,
`POST /v1/alerts/{id}/ack`, and alert gauges on `/metrics`. The rules are `signoff.monitor`'s."""
