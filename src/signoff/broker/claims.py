"""The claims of a task token as plain data (no JOSE import, and a NamedTuple rather than a
dataclass, which loads `inspect`: the git hook starts faster)."""

from __future__ import annotations

from typing import Any, NamedTuple

from signoff.broker.scope import Grant


class TaskClaims(NamedTuple):
    iss: str
    aud: str
    sub: str
    exp: int
    iat: int
    nbf: int
    jti: str
    task: str
    scope: Grant
    base: str
    policy: str
    intent: str

    @property
    def agent(self) -> str:
        return self.sub.removeprefix("agent:")

    def to_json(self) -> dict[str, Any]:
        return {
            "iss": self.iss,
            "aud": self.aud,
            "sub": self.sub,
            "exp": self.exp,
            "iat": self.iat,
            "nbf": self.nbf,
            "jti": self.jti,
            "task": self.task,
            "scope": self.scope.to_json(),
            "base": self.base,
            "policy": self.policy,
            "intent": self.intent,
        }
