"""YAML loading that keeps line numbers, so every fact can point at file:line.

Mappings load as `LineDict` and sequences as `LineList`; both carry `.line` (1-based
line of the node) and `LineDict.key_line(key)` gives the line of one key. Scalars stay
plain Python values. Uses libyaml's parser when available (about 5x faster).

The work per document is bounded: a document nested deeper than MAX_DEPTH, or whose aliases
would expand it past MAX_EXPANDED_NODES (and more than EXPANSION_RATIO times what is written: a
"billion laughs" alias bomb), is a YamlError, so the collectors note it and no check ever walks
an unbounded structure. Aliases are measured before anything is built (`check_bounds`). Aliases load as shared
objects, so a walk over a loaded document visits at most its expanded size.
"""

from __future__ import annotations

import re
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


MAX_DEPTH = 100
"""Deepest nesting of mappings and sequences (aliases expanded) read; real files stay under 30."""
MAX_EXPANDED_NODES = 100_000
"""Nodes a document may reach through aliases; past it, only when aliases add less than ..."""
EXPANSION_RATIO = 2
"""... this many times the nodes written (a large file without aliases is read whatever its size)."""


class _LineLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    depth = 0  # nesting of the mapping or sequence being built (a YamlError ends the loader)


# An anchor (`&name` after a space, a flow indicator or at the start): without one, no alias can
# expand anything, and the depth is counted while building, so `check_bounds` is not needed.
_MAY_HAVE_ANCHOR = re.compile(r"(?:^|[\s\[{,])&\S")


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    _enter(loader, node)
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
    loader.depth -= 1
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    _enter(loader, node)
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    loader.depth -= 1
    return result


def _enter(loader: _LineLoader, node: yaml.Node) -> None:
    """Count one more level of nesting (the constructors recurse: Python's stack is the bound)."""
    loader.depth += 1
    if loader.depth > MAX_DEPTH:
        raise YamlError(f"{_where(node)}nested more than {MAX_DEPTH} levels deep; not read")


def _construct_timestamp_as_text(loader: _LineLoader, node: yaml.ScalarNode) -> str:
    # Dates in CI files (e.g. cron comments, versions) are data, not datetimes.
    return loader.construct_scalar(node)


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp_as_text)


class YamlError(ValueError):
    """A YAML document that does not parse; the message is one line with the position."""


def load_yaml(text: str, *, loader_class: type[_LineLoader] | None = None) -> Any:
    """Load the first YAML document of *text* with line information.

    Raises YamlError with a one-line message ("line 3, column 5: mapping values are not allowed here"),
    also for a document over the bounds (see the module docstring).
    GitHub's `on:` key stays the string "on" (YAML 1.1 would make it True); see `yaml_key`.
    *loader_class*: a subclass of this module's loader with more constructors (CloudFormation tags).
    """
    try:
        loader = (loader_class or _LineLoader)(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            if _MAY_HAVE_ANCHOR.search(text):
                check_bounds(node)
            return loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.composer.ComposerError as exc:
        if "expected a single document" not in str(exc):
            raise YamlError(_one_line(exc)) from None
        # Several documents: read them all and keep the first (e.g. k8s-style multi-docs).
        docs = load_yaml_all(text, loader_class=loader_class)
        return docs[0] if docs else None
    except yaml.YAMLError as exc:
        raise YamlError(_one_line(exc)) from None
    except RecursionError:  # custom tags nest without the depth count: Python's own limit stops them
        raise YamlError(f"nested more than {MAX_DEPTH} levels deep; not read") from None


def load_yaml_all(text: str, *, loader_class: type[_LineLoader] | None = None) -> list[Any]:
    """Every YAML document of *text*; YamlError when one does not parse or is over the bounds."""
    try:
        loader = (loader_class or _LineLoader)(text)
        try:
            docs = []
            may_have_anchor = _MAY_HAVE_ANCHOR.search(text) is not None
            while loader.check_node():
                node = loader.get_node()
                if may_have_anchor:
                    check_bounds(node)
                docs.append(loader.construct_document(node))
            return docs
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise YamlError(_one_line(exc)) from None
    except RecursionError:
        raise YamlError(f"nested more than {MAX_DEPTH} levels deep; not read") from None


def check_bounds(root: yaml.Node) -> None:
    """Raise YamlError when the document under *root* is nested deeper than MAX_DEPTH or its
    aliases expand it past the limits, or an alias refers to a node that contains it.

    One pass over the composed nodes, each node once however many aliases point at it (an alias
    is the very node it names), so the check itself is linear in what is written."""
    expanded: dict[int, tuple[int, int]] = {}  # id(node) -> (nodes once aliases are expanded, depth)
    started: set[int] = set()  # nodes whose children are being measured: the current path
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            size, depth = 1, 0
            for child in _children(node):
                child_size, child_depth = expanded[id(child)]
                size += child_size
                depth = max(depth, child_depth)
            expanded[key] = (size, depth + 1)
            started.discard(key)
            if depth + 1 > MAX_DEPTH:
                raise YamlError(f"{_where(node)}nested more than {MAX_DEPTH} levels deep; not read")
            continue
        if key in expanded:
            continue
        if key in started:
            raise YamlError(f"{_where(node)}an alias refers to the node that contains it; not read")
        started.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node))
    size = expanded[id(root)][0]
    if size > MAX_EXPANDED_NODES and size > EXPANSION_RATIO * len(expanded):
        raise YamlError(
            f"{_where(root)}aliases expand the document to {size:,} nodes from {len(expanded):,} written "
            f"(over the limit of {MAX_EXPANDED_NODES:,}: an alias bomb?); not read"
        )


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return node.value
    return []


def _where(node: yaml.Node) -> str:
    mark = node.start_mark
    return f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""


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
