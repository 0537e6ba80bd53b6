"""Shared helpers: decoding, safe parsing with line numbers, and locating keys for SARIF.

(`is_binary` and `added_lines`, all the secrets scan needs, live in the lighter `_lines`.)
"""

from __future__ import annotations

import json
import re
import tomllib
from typing import Any

import yaml

from signoff.analysis.base import AnalysisError

#: YAML aliases allowed per document; bounds "billion laughs" expansion when walking the result.
MAX_YAML_ALIASES = 200


#: ``curl ... | sh`` and friends: a downloaded script run without being pinned or checked.
PIPE_TO_SHELL = re.compile(
    r"\b(?:curl|wget|fetch)\b[^|;&\n]*\|\s*(?:sudo\s+)?(?:[\w/]*/)?(?:ba|z|da|k)?sh\b"
)


def decode(data: bytes | None, side: str = "") -> str | None:
    """UTF-8 text (BOM dropped); undecodable bytes are a parse failure, not an empty file."""
    if data is None:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise AnalysisError("not valid UTF-8", line=line, side=side) from err
    return text.removeprefix("\ufeff")


def line_of(text: str | None, needle: str, start: int = 0) -> int | None:
    """Line of the first occurrence of `needle` (cheap; for one-off lookups)."""
    if text is None:
        return None
    pos = text.find(needle, start)
    return None if pos == -1 else text.count("\n", 0, pos) + 1


def key_line(text: str | None, key: str) -> int | None:
    """Line where `key` starts a line (after indentation or a quote): TOML/INI/YAML keys.

    Falls back to the first occurrence anywhere, then None.
    """
    if text is None:
        return None
    found = re.search(rf"^[ \t]*[\"'\[]?{re.escape(key)}", text, re.MULTILINE)
    if found is None:
        return line_of(text, key)
    return text.count("\n", 0, found.start()) + 1


def json_key_line(text: str | None, *keys: str) -> int | None:
    """Line of the last key in a path of JSON object keys, searched in sequence.

    A textual approximation: good enough to point SARIF at ``"postinstall"`` inside ``"scripts"``.
    """
    if text is None or not keys:
        return None
    pos = 0
    for key in keys:
        found = text.find(json.dumps(key), pos)
        if found == -1:
            return None
        pos = found
    return text.count("\n", 0, pos) + 1


def load_json(text: str, side: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise AnalysisError(f"invalid JSON: {err.msg}", line=err.lineno, side=side) from err
    except RecursionError as err:
        raise AnalysisError("JSON nested too deeply", side=side) from err


_TOML_AT = re.compile(r"\(at line (\d+)")


def load_toml(text: str, side: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        found = _TOML_AT.search(str(err))
        line = int(found.group(1)) if found else None
        raise AnalysisError(f"invalid TOML: {err}", line=line, side=side) from err


class _Loader(yaml.SafeLoader):
    """Safe loader that bounds aliases and accepts custom tags (GitLab's ``!reference``)."""

    aliases = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_YAML_ALIASES:
                raise AnalysisError(f"more than {MAX_YAML_ALIASES} YAML aliases")
        return super().compose_node(parent, index)


def _any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.SequenceNode):
        return [f"!{suffix}", *loader.construct_sequence(node, deep=True)]
    if isinstance(node, yaml.MappingNode):
        return {f"!{suffix}": loader.construct_mapping(node, deep=True)}
    return f"!{suffix} {loader.construct_scalar(node)}"  # type: ignore[arg-type]


_Loader.add_multi_constructor("!", _any_tag)


def load_yaml(text: str, side: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except AnalysisError as err:
        err.side = side
        raise
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else None
        raise AnalysisError(f"invalid YAML: {err.problem or err}", line=line, side=side) from err
    except (yaml.YAMLError, RecursionError) as err:
        raise AnalysisError(f"invalid YAML: {err}", side=side) from err


def host_of(url: str) -> str:
    """Lower-cased host of a URL (no credentials, no port), or the input when it has none."""
    rest = url.split("://", 1)[1] if "://" in url else url
    rest = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    return rest.split(":", 1)[0].lower()


def short(value: object, limit: int = 80) -> str:
    """A one-line rendering for messages, truncated with an ellipsis."""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
