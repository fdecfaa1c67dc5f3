"""YAML loading that keeps line numbers, so every fact can point at file:line.

Mappings load as `LineDict` and sequences as `LineList`; both carry `.line` (1-based
line of the node) and `LineDict.key_line(key)` gives the line of one key. Scalars stay
plain Python values. Uses libyaml's parser when available (about 5x faster).
"""

from __future__ import annotations

from typing import Any

import yaml

try:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _BaseLoader = yaml.SafeLoader  # type: ignore[assignment,misc]


class LineDict(dict):
    """A dict that remembers the line of itself and of each of its keys."""

    line: int = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key_lines: dict[Any, int] = {}

    def key_line(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A list that remembers the line of itself and of each item."""

    line: int = 0

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.item_lines: list[int] = []

    def item_line(self, index: int) -> int:
        if 0 <= index < len(self.item_lines):
            return self.item_lines[index]
        return self.line


class _LineLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            key = str(key)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_timestamp_as_text(loader: _LineLoader, node: yaml.ScalarNode) -> str:
    # Dates in CI files (e.g. cron comments, versions) are data, not datetimes.
    return loader.construct_scalar(node)


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp_as_text)


class YamlError(ValueError):
    """A YAML document that does not parse; the message is one line with the position."""


def load_yaml(text: str) -> Any:
    """Load the first YAML document of *text* with line information.

    Raises YamlError with a one-line message ("line 3, column 5: mapping values are not allowed here").
    GitHub's `on:` key stays the string "on" (YAML 1.1 would make it True); see `yaml_key`.
    """
    try:
        loader = _LineLoader(text)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.composer.ComposerError:
        # Several documents: read them all and keep the first (e.g. k8s-style multi-docs).
        docs = load_yaml_all(text)
        return docs[0] if docs else None
    except yaml.YAMLError as exc:
        raise YamlError(_one_line(exc)) from None


def load_yaml_all(text: str) -> list[Any]:
    try:
        loader = _LineLoader(text)
        try:
            docs = []
            while loader.check_data():
                docs.append(loader.get_data())
            return docs
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise YamlError(_one_line(exc)) from None


def yaml_key(mapping: dict, name: str) -> Any:
    """Read a key that YAML 1.1 may have turned into a boolean (`on:` -> True)."""
    if name in mapping:
        return mapping[name]
    if name in ("on", "yes", "y") and True in mapping:
        return mapping[True]
    if name in ("off", "no", "n") and False in mapping:
        return mapping[False]
    return None


def line_of(node: Any, key: Any = None, default: int = 0) -> int:
    """Line of a loaded node (or of one key of a mapping); *default* for plain scalars."""
    if key is not None and isinstance(node, LineDict):
        if key in node.key_lines:
            return node.key_lines[key]
        if key == "on" and True in node.key_lines:
            return node.key_lines[True]
    return getattr(node, "line", default) or default


def _one_line(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if mark is not None:
        return f"line {mark.line + 1}, column {mark.column + 1}: {problem}"
    return problem
