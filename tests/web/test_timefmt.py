"""Times in the console: relative words, the exact UTC time on hover, `<time datetime>`."""

from __future__ import annotations

import datetime as dt

import pytest

from signoff.web.timefmt import when

NOW = dt.datetime(2026, 12, 7, 12, 0, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("stamp", "shown"),
    [
        ("2026-12-07T11:59:50Z", "just now"),
        ("2026-12-07T11:55:00Z", "5 min ago"),
        ("2026-12-07T09:00:00.123456Z", "3 h ago"),
        ("2026-12-05T12:00:00+00:00", "2 d ago"),
        ("2026-12-07T14:00:00Z", "in 2 h"),
    ],
)
def test_relative_with_exact_title(stamp: str, shown: str) -> None:
    html = str(when(stamp, NOW))
    assert f">{shown}</time>" in html
    assert 'title="2026-12-' in html and ' UTC"' in html and 'datetime="2026-12-' in html


def test_dates_and_odd_values() -> None:
    assert str(when("2027-03-31", NOW)) == '<time datetime="2027-03-31">2027-03-31</time>'
    assert str(when(None, NOW)) == "—" and str(when("", NOW)) == "—"
    assert str(when("<b>not a time</b>", NOW)) == "&lt;b&gt;not a time&lt;/b&gt;"
