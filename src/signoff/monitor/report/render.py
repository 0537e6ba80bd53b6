"""Render the compliance report: Markdown, self-contained HTML (everything escaped, no external
resources, no scripts), or JSON."""

from __future__ import annotations

import html
import json
from typing import Any

from signoff.monitor.report.frameworks import FRAMEWORKS, TITLES


def _ids(ids: list[str]) -> str:
    return ", ".join(f"{i} ({TITLES[i]})" if i in TITLES else i for i in ids)


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(doc: dict[str, Any]) -> str:
    d = doc["deployment"]
    out = [
        "# signoff compliance report",
        "",
        f"Generated {doc['generated_at']}"
        + (f", covering events since {doc['since']}" if doc["since"] else "")
        + f". Ledger: {d['ledger_origin'] or 'none'} ({d['ledger_size'] or 0} events). "
        f"Protected branches: {', '.join(d['protected_branches']) or 'none found'}.",
        "",
        "| Control | Enforcement | Evidence |",
        "|---|---|---|",
    ]
    for c in doc["controls"]:
        ev = ", ".join(f"{k}={v}" for k, v in c["evidence"].items())
        out.append(f"| {c['id']} {_md_cell(c['title'])} | **{c['enforcement']}** | {ev} |")
    for c in doc["controls"]:
        out += ["", f"## {c['id']}: {c['title']}", "", f"**{c['enforcement']}**: {c['basis']}.", ""]
        for k, v in c["evidence"].items():
            out.append(f"- {k.replace('_', ' ')}: {v}")
        if c["ledger_refs"]:
            out.append(f"- ledger events: {', '.join(f'#{s}' for s in c['ledger_refs'])}")
        out.append("")
        for fw in FRAMEWORKS:
            if fw in c["frameworks"]:
                out.append(f"- {fw}: {_ids(c['frameworks'][fw])}")
    out += ["", f"_{doc['note']}_", ""]
    return "\n".join(out)


_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;color:#111}"
    "table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3rem;"
    "text-align:left;vertical-align:top}.lvl{font-weight:bold}"
)


def to_html(doc: dict[str, Any]) -> str:
    e = html.escape
    d = doc["deployment"]
    rows = []
    for c in doc["controls"]:
        ev = "<br>".join(f"{e(k)}: {e(str(v))}" for k, v in c["evidence"].items())
        refs = ", ".join(f"#{int(s)}" for s in c["ledger_refs"])
        fws = "<br>".join(
            f"<b>{e(fw)}</b>: {e(_ids(c['frameworks'][fw]))}"
            for fw in FRAMEWORKS
            if fw in c["frameworks"]
        )
        rows.append(
            f"<tr><td>{e(c['id'])} {e(c['title'])}</td><td class=lvl>{e(c['enforcement'])}"
            f"</td><td>{e(c['basis'])}</td><td>{ev}</td><td>{refs}</td><td>{fws}</td></tr>"
        )
    return (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
        "<meta http-equiv=Content-Security-Policy content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\"><title>signoff compliance report</title>"
        f"<style>{_CSS}</style></head><body><h1>signoff compliance report</h1>"
        f"<p>Generated {e(doc['generated_at'])}. Ledger {e(str(d['ledger_origin'] or 'none'))}"
        f" ({int(d['ledger_size'] or 0)} events).</p><table><tr><th>Control</th>"
        "<th>Enforcement</th><th>Why</th><th>Evidence</th><th>Ledger</th><th>Frameworks</th>"
        f"</tr>{''.join(rows)}</table><p><i>{e(doc['note'])}</i></p></body></html>\n"
    )


def render(doc: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(doc, indent=2, sort_keys=True)
    if fmt == "html":
        return to_html(doc)
    return to_markdown(doc)
