"""The token broker's pure core: task tokens, workload identity, scope, and the push decision.

    jose.py     mint and verify task tokens (JWS, one fixed algorithm per key, exact claims)
    keys.py     the broker's signing keys: generate, rotate, publish as a JWKS
    oidc.py     trust policies for OIDC workload tokens and their verification (JWKS cache)
    pop.py      proof of possession of a registered Ed25519 agent key (challenge / response)
    scope.py    what a token may grant: task request ∩ agent scope ∩ policy
    enforce.py  the push decision the git hook applies: refs, tags, protected refs, paths

Nothing here imports a web framework or a database driver (docs/architecture.md): the server and the
hook are shells around these functions, so a push is judged the same way wherever it is judged.
"""
