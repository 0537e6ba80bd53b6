"""Monitoring thresholds from `.signoff/monitor.yml`, validated like the policy (fail closed).

A separate file rather than a `monitor:` block in the policy: thresholds are tuned by the people
who watch the alerts, often, and a change to them must not count as a governance change to the
release policy (which needs critical-class approval). The file is read from the protected branch
(or `--config FILE`), so an agent cannot quiet the alerts about itself from a feature branch.

The review-speed threshold: an approval is "too fast" when it came less than
``max(min_review_seconds, seconds_per_line * changed_lines)`` after the change was put up for
review (its first decision event). The defaults (30 s floor, 1 s per changed line) are far below
any careful reading speed on purpose: they catch rubber stamps, not quick reviewers.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

from signoff.config.fields import _MISSING, Fields  # the absent-value sentinel Fields.get returns
from signoff.config.yamlsrc import Located, load
from signoff.errors import ConfigError
from signoff.monitor.alerts import Severity

MONITOR_PATH = ".signoff/monitor.yml"
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TOP = ("version", "window_days", "fail_on", "identity", "approvals", "tokens", "ledger")


@dataclass(frozen=True)
class WorkingHours:
    start: dt.time = dt.time(8, 0)
    end: dt.time = dt.time(19, 0)
    days: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday = 0
    timezone: str = "UTC"

    def contains(self, when: dt.datetime) -> bool:
        local = when.astimezone(zoneinfo.ZoneInfo(self.timezone))
        return local.weekday() in self.days and self.start <= local.time() < self.end


@dataclass(frozen=True)
class MonitorConfig:
    window_days: int = 30
    fail_on: Severity = Severity.HIGH
    unused_days: int = 30
    min_review_seconds: int = 30
    seconds_per_line: float = 1.0
    working_hours: WorkingHours | None = None  # None: the off-hours rule is off
    concentration_share: float = 0.6
    concentration_min_changes: int = 10
    refusal_window_hours: int = 24
    refusal_baseline_windows: int = 7
    refusal_multiplier: float = 3.0
    refusal_min_count: int = 5
    checkpoint_max_age_minutes: int = 60

    def review_threshold(self, changed_lines: int) -> float:
        return max(float(self.min_review_seconds), self.seconds_per_line * changed_lines)


DEFAULT_CONFIG = MonitorConfig()


def _number(f: Fields, path: tuple[str | int, ...], default: float, lo: float, hi: float) -> float:
    value = f.get(path)
    if value is None or value is _MISSING:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise f.error(path, f"expected a number, got {type(value).__name__}")
    if not lo <= float(value) <= hi:
        raise f.error(path, f"must be between {lo:g} and {hi:g}")
    return float(value)


def _clock(f: Fields, path: tuple[str | int, ...], default: dt.time) -> dt.time:
    value = f.get(path)
    if value is None or value is _MISSING:
        return default
    if isinstance(value, int) and not isinstance(value, bool):  # YAML 1.1 reads 08:00 as 480
        value = f"{value // 60:02d}:{value % 60:02d}"
    if not isinstance(value, str):
        raise f.error(path, "expected a time HH:MM")
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        raise f.error(path, f"expected a time HH:MM, got {value!r}") from None


def parse_config(text: bytes, file: str = MONITOR_PATH) -> MonitorConfig:
    """Parse and validate; unknown keys and out-of-range values are `ConfigError`s."""
    doc: Located = load(text, file)
    f = Fields(doc)
    f.mapping((), _TOP)
    if f.integer(("version",), 1, minimum=1) != 1:
        raise f.error(("version",), "unsupported monitor config version (expected 1)")
    f.mapping(("identity",), ("unused_days",))
    f.mapping(
        ("approvals",),
        ("min_review_seconds", "seconds_per_line", "working_hours", "concentration"),
    )
    f.mapping(("approvals", "concentration"), ("share", "min_changes"))
    f.mapping(
        ("tokens",),
        ("refusal_window_hours", "refusal_baseline_windows", "refusal_multiplier", "min_refusals"),
    )
    f.mapping(("ledger",), ("checkpoint_max_age_minutes",))
    hours = None
    wh = ("approvals", "working_hours")
    if f.get(wh) not in (_MISSING, None):
        f.mapping(wh, ("start", "end", "days", "timezone"), required=("timezone",))
        tz = f.string((*wh, "timezone"), required=True)
        try:
            zoneinfo.ZoneInfo(tz)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise f.error((*wh, "timezone"), f"unknown time zone {tz!r}") from None
        start, end = _clock(f, (*wh, "start"), dt.time(8)), _clock(f, (*wh, "end"), dt.time(19))
        if end <= start:
            raise f.error((*wh, "end"), "must be after start")
        days = f.strings((*wh, "days"), choices=_DAYS) or _DAYS[:5]
        hours = WorkingHours(start, end, tuple(sorted({_DAYS.index(d) for d in days})), tz)
    fail_on = f.string(("fail_on",), "high", choices=[s.value for s in Severity])
    return MonitorConfig(
        window_days=f.integer(("window_days",), 30, minimum=1),
        fail_on=Severity(fail_on),
        unused_days=f.integer(("identity", "unused_days"), 30, minimum=1),
        min_review_seconds=f.integer(("approvals", "min_review_seconds"), 30, minimum=0),
        seconds_per_line=_number(f, ("approvals", "seconds_per_line"), 1.0, 0.0, 600.0),
        working_hours=hours,
        concentration_share=_number(f, ("approvals", "concentration", "share"), 0.6, 0.01, 1.0),
        concentration_min_changes=f.integer(
            ("approvals", "concentration", "min_changes"), 10, minimum=1
        ),
        refusal_window_hours=f.integer(("tokens", "refusal_window_hours"), 24, minimum=1),
        refusal_baseline_windows=f.integer(("tokens", "refusal_baseline_windows"), 7, minimum=1),
        refusal_multiplier=_number(f, ("tokens", "refusal_multiplier"), 3.0, 1.0, 1000.0),
        refusal_min_count=f.integer(("tokens", "min_refusals"), 5, minimum=1),
        checkpoint_max_age_minutes=f.integer(
            ("ledger", "checkpoint_max_age_minutes"), 60, minimum=1
        ),
    )


def load_config_file(path: Path) -> MonitorConfig:
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read monitor config: {exc.strerror}", file=str(path)) from None
    return parse_config(text, str(path))
