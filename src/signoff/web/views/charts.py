"""Small bar charts as SVG, drawn server-side (no chart library, no script)."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

W, H, PAD, AXIS = 560, 180, 34, 18


def bars(title: str, points: Sequence[tuple[str, float]], unit: str = "") -> Markup:
    """One bar per (label, value); every bar has a `<title>` with its exact value."""
    top = max([v for _, v in points] or [0]) or 1
    n = max(len(points), 1)
    slot = (W - 2 * PAD) / n
    out = [
        Markup(
            '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
            'viewBox="0 0 {w} {h}" width="{w}" height="{h}"><title>{t}</title>'
            '<line x1="{p}" y1="{b}" x2="{r}" y2="{b}" stroke="#444"/>'
        ).format(w=W, h=H, t=title, p=PAD, b=H - AXIS, r=W - PAD)
    ]
    for frac in (0.0, 0.5, 1.0):  # the value axis: 0, half and the top, with grid lines
        y = H - AXIS - (H - AXIS - PAD) * frac
        tick = top * frac
        out.append(
            Markup(
                '<line x1="{p}" y1="{y:.1f}" x2="{r}" y2="{y:.1f}" stroke="#d0d0d0"/>'
                '<text x="{tx}" y="{ty:.1f}" text-anchor="end">{v}</text>'
            ).format(p=PAD, r=W - PAD, y=y, tx=PAD - 4, ty=y + 4, v=_num(tick))
        )
    for i, (label, value) in enumerate(points):
        h = (H - AXIS - PAD) * value / top
        x = PAD + i * slot + slot * 0.15
        out.append(
            Markup(
                '<g><title>{label}: {v}{u}</title><rect x="{x:.1f}" y="{y:.1f}" width="{bw:.1f}" '
                'height="{h:.1f}" fill="#0b5cad"/><text x="{tx:.1f}" y="{ty}" '
                'text-anchor="middle">{short}</text></g>'
            ).format(
                label=label,
                v=round(value, 1),
                u=unit,
                x=x,
                y=H - AXIS - h,
                bw=slot * 0.7,
                h=h,
                tx=x + slot * 0.35,
                ty=H - 4,
                short=label[-5:] if i % 2 == (n - 1) % 2 else "",
            )
        )
    if not points:
        out.append(Markup('<text x="{}" y="{}">no data yet</text>').format(PAD, H / 2))
    out.append(Markup("</svg>"))
    return Markup("").join(out)


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.1f}"
