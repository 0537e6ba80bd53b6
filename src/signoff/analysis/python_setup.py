"""setup.py (packaging code: any change is flagged) and setup.cfg (declarative setuptools)."""

from __future__ import annotations

import configparser

from signoff.analysis._deps import compare_deps, pep508_map
from signoff.analysis._text import decode, line_of, short
from signoff.analysis.base import AnalysisError, Analyzer
from signoff.analysis.version import version_facts
from signoff.facts import Fact


class SetupPyAnalyzer(Analyzer):
    ident = "python-setup-py"
    desc = "setup.py is code that runs at build and install time"

    def analyze(self, path: str, old: bytes | None, new: bytes | None) -> list[Fact]:
        verb = "added" if old is None else "deleted" if new is None else "changed"
        return [self.fact("packaging-code-changed", path, f"packaging code {verb}", change=verb)]


def _cfg(text: str | None, side: str) -> configparser.ConfigParser | None:
    if text is None:
        return None
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error as err:
        line = getattr(err, "lineno", None)
        raise AnalysisError(f"invalid setup.cfg: {err.message}", line=line, side=side) from err
    return parser


def _list(parser: configparser.ConfigParser | None, section: str, key: str) -> list[str]:
    if parser is None or not parser.has_option(section, key):
        return []
    items = parser.get(section, key).splitlines()
    return [i.strip() for i in items if i.strip() and not i.strip().startswith("#")]


def _section(parser: configparser.ConfigParser | None, section: str) -> dict[str, str]:
    if parser is None or not parser.has_section(section):
        return {}
    return {k: " ".join(v.split()) for k, v in parser.items(section)}


class SetupCfgAnalyzer(Analyzer):
    ident = "python-setup-cfg"
    desc = "setup.cfg install_requires, extras, setup_requires, entry points and version"

    def analyze(self, path: str, old: bytes | None, new: bytes | None) -> list[Fact]:
        old_text, new_text = decode(old, "old"), decode(new, "new")
        before, after = _cfg(old_text, "old"), _cfg(new_text, "new")
        text = new_text or old_text or ""

        def line(needle: str) -> int | None:
            return line_of(text, needle)

        facts: list[Fact] = []
        groups = [("install_requires", "options", "install_requires")]
        extras = set(_section(before, "options.extras_require"))
        extras |= set(_section(after, "options.extras_require"))
        groups += [(f"extra `{e}`", "options.extras_require", e) for e in sorted(extras)]
        for label, section, key in groups:
            old_map = pep508_map(_list(before, section, key), label)
            new_map = pep508_map(_list(after, section, key), label)
            facts += compare_deps(self, path, label, old_map, new_map, line)
        if _list(before, "options", "setup_requires") != _list(after, "options", "setup_requires"):
            value = short(_list(after, "options", "setup_requires"))
            text_ = f"setup_requires set to `{value}`"
            facts.append(
                self.fact("build-requires-changed", path, text_, line=line("setup_requires"))
            )
        for key in ("cmdclass",):
            if _section(before, "options").get(key) != _section(after, "options").get(key):
                text_ = f"options.{key} changed"
                facts.append(self.fact("tool-hook-changed", path, text_, line=line(key)))
        old_eps = _section(before, "options.entry_points")
        for group, value in _section(after, "options.entry_points").items():
            if group not in old_eps:
                text_ = f"entry points `{group}` added: `{short(value)}`"
                facts.append(self.fact("entry-point-added", path, text_, line=line(group)))
            elif old_eps[group] != value:
                text_ = f"entry points `{group}` changed: `{short(value)}`"
                facts.append(self.fact("entry-point-changed", path, text_, line=line(group)))
        if before is not None and after is not None:
            old_doc = {s: _section(before, s) for s in before.sections()}
            new_doc = {s: _section(after, s) for s in after.sections()}
            facts += version_facts(
                self, path, old_doc, new_doc, [("metadata", "version")], line("version")
            )
        return facts


#: The analyzers this module provides, for the registry (`signoff.analysis`).
ANALYZERS: tuple[type[Analyzer], ...] = (SetupPyAnalyzer, SetupCfgAnalyzer)
