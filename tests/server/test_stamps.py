"""Stored times: `parse_stamp` reads exactly what `stamp` writes, as `strptime` would."""

from __future__ import annotations

import datetime as dt

import pytest

from signoff.server.common import parse_stamp, stamp

FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


@pytest.mark.parametrize(
    "value",
    [
        "2026-12-08T03:35:20.475538Z",
        "1999-01-01T00:00:00.000000Z",
        "2030-02-28T23:59:59.999999Z",
    ],
)
def test_a_stamp_reads_as_strptime_reads_it(value: str) -> None:
    reference = dt.datetime.strptime(value, FORMAT).replace(tzinfo=dt.UTC)
    got = parse_stamp(value)
    assert got == reference and got.utcoffset() == dt.timedelta(0)
    assert stamp(got) == value


@pytest.mark.parametrize(
    "value",
    [
        "2026-12-08T03:35:20Z",  # no microseconds
        "2026-12-08T03:35:20.475538",  # no zone
        "2026-12-08T03:35:20.475538+00:00",  # another spelling of UTC
        "2026-12-08 03:35:20.475538Z",
        "2026-02-30T00:00:00.000000Z",  # no such day
        " 2026-12-08T03:35:20.475538Z",
        "2026-12-08T03:35:20.475538Z\n",
    ],
)
def test_anything_else_is_refused_as_strptime_refuses_it(value: str) -> None:
    with pytest.raises(ValueError):
        dt.datetime.strptime(value, FORMAT)
    with pytest.raises(ValueError):
        parse_stamp(value)


def test_digits_of_another_script_are_refused_though_strptime_reads_them() -> None:
    value = "\uff12\uff10\uff12\uff16-12-08T03:35:20.475538Z"  # fullwidth digits
    assert dt.datetime.strptime(value, FORMAT).year == 2026
    with pytest.raises(ValueError):
        parse_stamp(value)
