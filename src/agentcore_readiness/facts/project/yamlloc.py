"""YAML with source positions and YAML 1.1 safe semantics, bounded against hostile input.

The starter toolkit's ``.bedrock_agentcore.yaml`` is read as plain data: mappings,
sequences and the standard scalar types, with anchors, aliases and merge keys
(``<<: *base``). Everything else fails with a located :class:`YamlLoadError`, never an
exception from deep inside the parser:

* application tags (``!!python/object/apply:...``, ``!Ref``) are refused, on scalars and
  collections alike (nothing is ever constructed from them);
* nesting deeper than :data:`MAX_DEPTH` levels, directly or through aliases, and
  aliases that contain themselves are refused at the node that goes too far;
* more than :data:`MAX_NODES` values after expanding aliases (an alias bomb) is refused.

Each value's path (a JSON pointer) is mapped to its line, as for JSON
(:mod:`agentcore_readiness.facts.jsonloc`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from agentcore_readiness.facts.jsonloc import pointer

MAX_NODES = 100_000
MAX_DEPTH = 100

_CORE = "tag:yaml.org,2002:"
_MERGE = _CORE + "merge"
_SCALAR_TAGS = frozenset(_CORE + t for t in ("str", "int", "float", "bool", "null", "timestamp", "binary", "value"))
_MAPPING_TAGS = frozenset(_CORE + t for t in ("map", "set"))
_SEQUENCE_TAGS = frozenset(_CORE + t for t in ("seq", "omap", "pairs"))


class YamlLoadError(ValueError):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class LocatedYaml:
    value: Any
    lines: dict[str, int] = field(default_factory=dict)


class _DepthLimitedLoader(yaml.SafeLoader):
    """A safe loader whose composer refuses nesting deeper than :data:`MAX_DEPTH`
    (PyYAML composes recursively: a few hundred levels end in ``RecursionError``)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise yaml.composer.ComposerError(None, None, f"nested more than {MAX_DEPTH} levels deep", mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _short(tag: str) -> str:
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag


def _line(node: Any) -> int:
    return int(node.start_mark.line) + 1


def loads_located_yaml(text: str) -> LocatedYaml:
    """Parse one YAML document; :class:`YamlLoadError` (with a line when known) otherwise.
    An empty document gives ``LocatedYaml(None)``."""
    loader = _DepthLimitedLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlLoadError(f"not valid YAML: {exc.problem or exc.context}", mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise YamlLoadError(f"not valid YAML: {exc}") from None
    except RecursionError:
        raise YamlLoadError("not valid YAML: nested too deeply") from None
    finally:
        loader.dispose()
    if node is None:
        return LocatedYaml(None)
    builder = _Builder()
    try:
        value = builder.value(node, "", 0)
    except _TooBig:
        raise YamlLoadError(
            f"expands to more than {MAX_NODES:,} values through anchors and aliases (a YAML alias bomb?); not read",
            _line(node),
        ) from None
    except RecursionError:
        raise YamlLoadError("not valid YAML: nested too deeply", _line(node)) from None
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        if isinstance(exc, YamlLoadError):
            raise
        mark = getattr(exc, "problem_mark", None)
        raise YamlLoadError(
            f"not valid YAML: {getattr(exc, 'problem', None) or exc}", mark.line + 1 if mark else None
        ) from None
    return LocatedYaml(value, builder.lines)


class _TooBig(Exception):
    pass


class _Builder:
    """Builds plain values from composed nodes, within the node budget and depth."""

    def __init__(self) -> None:
        self.lines: dict[str, int] = {}
        self.budget = MAX_NODES
        self.active: set[int] = set()
        self.constructor = yaml.constructor.SafeConstructor()

    def value(self, node: Any, path: str, depth: int, record: bool = True) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise _TooBig
        if depth > MAX_DEPTH:
            raise YamlLoadError(f"not valid YAML: nested more than {MAX_DEPTH} levels deep", _line(node))
        if record:
            self.lines.setdefault(path, _line(node))
        if isinstance(node, yaml.ScalarNode):
            if node.tag not in _SCALAR_TAGS:
                raise self._tag_error(node)
            return self.constructor.construct_object(node, deep=True)
        if id(node) in self.active:
            raise YamlLoadError("not valid YAML: an alias refers to a value that contains it (recursive)", _line(node))
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                if node.tag not in _MAPPING_TAGS:
                    raise self._tag_error(node)
                return self.mapping(node, path, depth, record)
            if isinstance(node, yaml.SequenceNode):
                if node.tag not in _SEQUENCE_TAGS:
                    raise self._tag_error(node)
                return [self.value(child, f"{path}/{i}", depth + 1, record) for i, child in enumerate(node.value)]
        finally:
            self.active.discard(id(node))
        raise YamlLoadError(f"not valid YAML: unexpected node {type(node).__name__}", _line(node))

    def mapping(self, node: Any, path: str, depth: int, record: bool) -> dict[Any, Any]:
        """Explicit keys first, then keys merged in with ``<<`` that are not set explicitly
        (the first merged mapping wins, as YAML 1.1 says)."""
        result: dict[Any, Any] = {}
        merged: list[Any] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merged.extend(self._merge_sources(value_node))
                continue
            key = self.value(key_node, path + "/?", depth + 1, record=False)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                key = str(key)
            result[key] = self.value(value_node, path + pointer(str(key)), depth + 1, record)
        for source in merged:
            for key, value in self.mapping_value(source, path, depth, record).items():
                result.setdefault(key, value)
        return result

    def mapping_value(self, node: Any, path: str, depth: int, record: bool) -> dict[Any, Any]:
        value = self.value(node, path, depth + 1, record)
        return value if isinstance(value, dict) else {}

    def _merge_sources(self, node: Any) -> list[Any]:
        if isinstance(node, yaml.MappingNode):
            return [node]
        if isinstance(node, yaml.SequenceNode) and all(isinstance(item, yaml.MappingNode) for item in node.value):
            return list(node.value)
        raise YamlLoadError("not valid YAML: a merge key (<<) takes a mapping or a list of mappings", _line(node))

    @staticmethod
    def _tag_error(node: Any) -> YamlLoadError:
        return YamlLoadError(
            f"not valid YAML: unsupported tag {_short(node.tag)} (only plain mappings, lists and scalars are read)",
            _line(node),
        )
