"""How many examples each fuzz test runs: a fast profile for `make test`, a long one for
`make fuzz`.

`tests/conftest.py` registers both profiles and loads the one `HYPOTHESIS_PROFILE` names (fast by
default). A fuzz test states its budget in fast-profile examples, `@budget(300)`; the loaded
profile scales it (`LONG_FACTOR` times as many under `long`), so the tests that need more
examples keep more in both profiles. No deadline: a fuzz test's examples vary in cost on a
loaded machine, and what it asserts is never a time.
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, settings

FAST = 100  #: max_examples of the fast profile: the unit budgets are stated in
#: How many times the fast budget the long profile runs (`make fuzz`; FUZZ_FACTOR overrides).
LONG_FACTOR = int(os.environ.get("FUZZ_FACTOR", "40"))


def register() -> None:
    """Register the `fast` and `long` profiles and load the one `HYPOTHESIS_PROFILE` names."""
    settings.register_profile("fast", max_examples=FAST, deadline=None)
    settings.register_profile(
        "long",
        max_examples=FAST * LONG_FACTOR,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fast"))


def budget(examples: int, **more: Any) -> settings:
    """`examples` under the fast profile, scaled to the loaded one (`more`: other settings)."""
    return settings(max_examples=max(1, examples * settings().max_examples // FAST), **more)
