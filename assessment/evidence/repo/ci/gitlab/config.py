"""A GitLab CI configuration, merged from `.gitlab-ci.yml` and the files it includes with
`include: local` (paths from the repository root, wildcards allowed). Jobs are the top-level
mappings that are not keywords or hidden (`.name`); `extends:` and `!reference` are resolved.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from mlops_ladder.assessment.evidence.repo.ci.builder import MAX_TEMPLATE_DEPTH
from mlops_ladder.assessment.evidence.repo.ci.values import as_list
from mlops_ladder.assessment.evidence.repo.files import RepoFiles
from mlops_ladder.assessment.evidence.yamlfile import YamlError, load_yaml_all

_KEYWORDS = frozenset(
    {
        "default",
        "include",
        "stages",
        "variables",
        "workflow",
        "image",
        "services",
        "cache",
        "before_script",
        "after_script",
        "spec",
    }
)
_REFERENCE_TAG = re.compile(r"!reference\s*\[")


@dataclass(frozen=True)
class Entry:
    value: object
    path: str
    line: int


class ConfigFiles:
    """Reads the configuration files, each once; `read`: the files read (no other reader should)."""

    def __init__(self, files: RepoFiles) -> None:
        self.files = files
        self.read: set[str] = set()
        self._documents: dict[str, dict | None] = {}

    def _load(self, path: str) -> dict | None:
        if path in self._documents:
            return self._documents[path]
        self.read.add(path)
        text = self.files.read_text(path)
        data: dict | None = None
        if text is not None:
            try:
                # `!reference [job, key]` becomes a plain list, resolved when scripts are read.
                documents = load_yaml_all(_REFERENCE_TAG.sub("[", text))
            except YamlError as exc:
                self.files.note(path, f"malformed YAML: {exc}")
                documents = []
            # A `spec:` header (CI/CD inputs) comes first; the configuration follows it.
            if len(documents) > 1 and isinstance(documents[0], dict) and set(documents[0]) == {"spec"}:
                documents = documents[1:]
            if documents and isinstance(documents[0], dict):
                data = documents[0]
            elif documents:
                self.files.note(path, "malformed YAML: the document is not a mapping")
        self._documents[path] = data
        return data

    def load_config(self, path: str, stack: tuple[str, ...] = ()) -> dict[str, Entry]:
        """The configuration of *path* merged with the files it includes (its own keys win)."""
        data = self._load(path)
        if data is None:
            return {}
        merged: dict[str, Entry] = {}
        for target in self.includes(data.get("include")):
            if target not in stack and target != path and len(stack) < MAX_TEMPLATE_DEPTH:
                for key, entry in self.load_config(target, (*stack, path)).items():
                    merged[key] = _merge_entry(merged.get(key), entry)
        for key, value in data.items():
            if key != "include":
                merged[str(key)] = _merge_entry(merged.get(str(key)), Entry(value, path, data.key_line(key)))
        return merged

    def includes(self, include: object) -> Iterator[str]:
        """The repository files `include: local` names (wildcards expanded)."""
        for item in as_list(include):
            local = item if isinstance(item, str) else item.get("local") if isinstance(item, dict) else None
            if not isinstance(local, str) or "://" in local or "$" in local:
                continue
            pattern = posixpath.normpath(local.lstrip("/"))
            if "*" in pattern:
                yield from sorted(
                    f.path
                    for f in self.files.with_suffix(".yml", ".yaml")
                    if fnmatch.fnmatch(f.path, pattern)
                )
            elif self.files.exists(pattern):
                yield pattern


def _merge_entry(old: Entry | None, new: Entry) -> Entry:
    if old is not None and isinstance(old.value, dict) and isinstance(new.value, dict):
        return Entry(_deep_merge(old.value, new.value), new.path, new.line)
    return new


def _deep_merge(base: Mapping, override: Mapping) -> dict:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(merged.get(key), dict) and isinstance(value, dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def value_of(config: dict[str, Entry], key: str) -> object:
    entry = config.get(key)
    return entry.value if entry else None


def is_job(name: str, value: object) -> bool:
    return isinstance(value, dict) and name not in _KEYWORDS and not name.startswith(".")


def resolved_job(name: str, config: dict[str, Entry], depth: int = 0) -> dict:
    """A job with what it `extends:` merged in (its own keys win)."""
    job = config[name].value
    if not isinstance(job, dict):
        return {}
    merged: dict = {}
    for base in as_list(job.get("extends")):
        base = str(base)
        if base in config and base != name and depth < 10:
            merged = _deep_merge(merged, resolved_job(base, config, depth + 1))
    return _deep_merge(merged, job)


def script_lines(items: object, config: dict[str, Entry], depth: int = 0) -> Iterator[tuple[str, int]]:
    """(command text, line) of a script section; nested lists and `!reference [job, key]` flattened."""
    if isinstance(items, str):
        yield items, 0
        return
    if not isinstance(items, list) or depth > 10:
        return
    for index, item in enumerate(items):
        line = items.item_line(index) if hasattr(items, "item_line") else 0
        if isinstance(item, str):
            yield item, line
        elif isinstance(item, list):
            target = _reference_target(item, config)
            inner = target if target is not None else item
            for text, _ in script_lines(inner, config, depth + 1):
                yield text, line


def _reference_target(item: list, config: dict[str, Entry]) -> object:
    """What `!reference [job, key, ...]` points at, or None when the list is not a reference."""
    if not item or not all(isinstance(part, str) for part in item) or item[0] not in config or len(item) < 2:
        return None
    value: object = config[item[0]].value
    for part in item[1:]:
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value
