"""Load YAML keeping where every value came from, so errors can say file:line:column.

Only the YAML subset a config needs is accepted: mappings with string keys, sequences, scalars.
Anchors/aliases, tags and duplicate keys are refused (they hide what a reviewer reads).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import yaml

from signoff.errors import ConfigError

try:  # libyaml is much faster when present; both loaders give the same nodes
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Path_ = tuple[str | int, ...]

_MAX_BYTES = 1 << 20


class Located(NamedTuple):
    """A parsed document plus a map from field path to (line, column), both 1-based."""

    data: Any
    marks: dict[Path_, tuple[int, int]]
    file: str

    def where(self, path: Path_) -> tuple[int | None, int | None]:
        while path:
            if path in self.marks:
                return self.marks[path]
            path = path[:-1]
        return self.marks.get((), (None, None))

    def error(self, path: Path_, message: str, hint: str | None = None) -> ConfigError:
        line, col = self.where(path)
        return ConfigError(
            message, file=self.file, line=line, column=col, field=dotted(path), hint=hint
        )


def dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def load(text: bytes, file: str) -> Located:
    """Parse one YAML document; any problem is a `ConfigError` naming the place."""
    if len(text) > _MAX_BYTES:
        raise ConfigError(f"file is larger than {_MAX_BYTES} bytes", file=file)
    try:
        source = text.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not valid UTF-8 (byte {exc.start})", file=file) from None
    try:
        node = yaml.compose(source, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise ConfigError(
            f"invalid YAML: {exc.problem or exc.context}",
            file=file,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}", file=file) from None
    marks: dict[Path_, tuple[int, int]] = {}
    if node is None:
        return Located({}, marks, file)
    data = _convert(node, (), marks, file, set())
    return Located(data, marks, file)


def _convert(
    node: yaml.Node, path: Path_, marks: dict[Path_, tuple[int, int]], file: str, seen: set[int]
) -> Any:
    marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if id(node) in seen:
        raise _err("anchors and aliases are not allowed", node, path, file)
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
                raise _err("keys must be plain strings", key_node, path, file)
            key = key_node.value
            if key == "<<":
                raise _err("merge keys (<<) are not allowed", key_node, path, file)
            if key in out:
                raise _err(f"duplicate key {key!r}", key_node, (*path, key), file)
            out[key] = _convert(value_node, (*path, key), marks, file, seen)
            marks[(*path, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(v, (*path, i), marks, file, seen) for i, v in enumerate(node.value)]
    assert isinstance(node, yaml.ScalarNode)
    if node.tag not in _SCALAR_TAGS:
        raise _err(f"tag {node.tag} is not allowed", node, path, file)
    try:
        return yaml.constructor.SafeConstructor().construct_object(node)
    except (ValueError, OverflowError, yaml.YAMLError):  # 2027-13-45: a date that is none
        kind = node.tag.rsplit(":", 1)[-1]
        kind = "date" if kind == "timestamp" else kind
        raise _err(f"{node.value!r} is not a valid {kind}", node, path, file) from None


_STR = "tag:yaml.org,2002:str"
_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")
)


def _err(message: str, node: yaml.Node, path: Path_, file: str) -> ConfigError:
    return ConfigError(
        message,
        file=file,
        line=node.start_mark.line + 1,
        column=node.start_mark.column + 1,
        field=dotted(path),
    )
