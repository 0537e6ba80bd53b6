"""How uvicorn runs the control plane: one set of options from the settings, used by `signoff
serve` (one process or several workers) and by the tests' in-process servers alike."""

from __future__ import annotations

from typing import Any

from signoff.server.settings import Settings


def uvicorn_options(s: Settings) -> dict[str, Any]:
    """Keyword arguments for `uvicorn.run` / `uvicorn.Config` (besides the app).

    Forwarded headers: uvicorn believes X-Forwarded-For and X-Forwarded-Proto only from the
    addresses in `trusted_proxies`, and with none listed it ignores them altogether (uvicorn's
    own default would trust 127.0.0.1). Behind a TLS-terminating proxy, list the proxy: the
    console then sees `https` (Secure cookies, same-origin checks) and logs the client's address.
    """
    opts: dict[str, Any] = {
        "host": s.host,
        "port": s.port,
        "log_config": None,
        "access_log": False,
        "server_header": False,
        "proxy_headers": bool(s.trusted_proxies),
    }
    if s.trusted_proxies:
        opts["forwarded_allow_ips"] = s.trusted_proxies
    if s.tls_certfile is not None and s.tls_keyfile is not None:
        opts["ssl_certfile"] = str(s.tls_certfile)
        opts["ssl_keyfile"] = str(s.tls_keyfile)
    return opts
