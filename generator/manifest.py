"""Read a template layer's manifest.yml: what each file of the layer is for.

`mlops-ladder upgrade` adopts hand-written repositories with it: a template file is added only
when its path is free and it is a contract file, meets no criterion, or meets one the repository
does not meet yet; its `wire` note tells the user what to connect by hand. The format is described
at the top of templates/level-1/manifest.yml.

Paths and wire notes are Jinja templates on the project answers, rendered once at load time in a
sandbox with StrictUndefined, so a note that names an answer the layer does not have fails loudly
instead of printing an empty string.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from mlops_ladder.errors import ModelDefinitionError

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

MANIFEST_FILE = "manifest.yml"
CRITERION_ID = re.compile(r"MLL-\d{3}")
_ENTRY_KEYS = frozenset({"path", "satisfies", "contract", "wire"})
_REQUIRED_KEYS = frozenset({"path", "satisfies", "contract"})


@dataclass(frozen=True)
class ManifestEntry:
    pattern: str  # rendered path, may hold fnmatch globs
    satisfies: tuple[str, ...]
    contract: bool
    wire: str | None  # rendered note, None when absent or rendered empty

    def matches(self, path: str) -> bool:
        return fnmatchcase(path, self.pattern)


@dataclass(frozen=True)
class Manifest:
    source: Path
    entries: tuple[ManifestEntry, ...]

    def entry_for(self, path: str) -> ManifestEntry | None:
        """The first entry whose pattern matches *path* (POSIX, relative to the project root)."""
        return next((entry for entry in self.entries if entry.matches(path)), None)


def load_manifest(layer_dir: Path, answers: Mapping[str, Any]) -> Manifest:
    """The manifest of the layer in *layer_dir*, rendered with *answers*.

    Raises ModelDefinitionError naming the file when it is missing, malformed or does not render.
    """
    source = layer_dir / MANIFEST_FILE
    raw = _read(source)
    if not isinstance(raw, dict) or set(raw) != {"files"} or not isinstance(raw["files"], list):
        raise ModelDefinitionError(f"{source}: expected a mapping with one key, `files:`, holding a list")
    if not raw["files"]:
        raise ModelDefinitionError(f"{source}: `files:` is empty")
    environment = _jinja_environment()
    entries = tuple(
        _entry(item, environment, answers, f"{source}: files[{index}]")
        for index, item in enumerate(raw["files"])
    )
    return Manifest(source, entries)


def _read(source: Path) -> Any:
    try:
        return yaml.safe_load(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelDefinitionError(f"{source}: the template layer has no manifest") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelDefinitionError(f"{source}: cannot read the manifest: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ModelDefinitionError(f"{source}: {problem}{where}") from None


def _entry(
    item: Any, environment: SandboxedEnvironment, answers: Mapping[str, Any], where: str
) -> ManifestEntry:
    if not isinstance(item, dict):
        raise ModelDefinitionError(f"{where}: expected a mapping with path, satisfies and contract")
    unknown_keys, missing = set(item) - _ENTRY_KEYS, _REQUIRED_KEYS - set(item)
    if unknown_keys or missing:
        raise ModelDefinitionError(
            f"{where}: unknown keys {sorted(unknown_keys)}, missing keys {sorted(missing)}"
        )
    path, satisfies, contract, wire = item["path"], item["satisfies"], item["contract"], item.get("wire")
    if not isinstance(path, str) or not path.strip():
        raise ModelDefinitionError(f"{where}: `path` must be a non-empty string")
    if not isinstance(satisfies, list) or not all(
        isinstance(c, str) and CRITERION_ID.fullmatch(c) for c in satisfies
    ):
        raise ModelDefinitionError(f"{where} ({path}): `satisfies` must be a list of criterion ids (MLL-NNN)")
    if not isinstance(contract, bool):
        raise ModelDefinitionError(f"{where} ({path}): `contract` must be true or false")
    if wire is not None and not isinstance(wire, str):
        raise ModelDefinitionError(f"{where} ({path}): `wire` must be a string")
    pattern = _render(environment, path, answers, f"{where} ({path}): path").strip()
    if not pattern or pattern.startswith("/") or "\\" in pattern:
        raise ModelDefinitionError(
            f"{where} ({path}): the path renders to {pattern!r}, not a relative POSIX path"
        )
    note = _render(environment, wire, answers, f"{where} ({path}): wire") if wire is not None else ""
    return ManifestEntry(pattern, tuple(satisfies), contract, " ".join(note.split()) or None)


def _jinja_environment() -> SandboxedEnvironment:  # jinja2 is imported only when a manifest is read
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)


def _render(environment: SandboxedEnvironment, text: str, answers: Mapping[str, Any], where: str) -> str:
    from jinja2 import TemplateError

    try:
        return environment.from_string(text).render(dict(answers))
    except TemplateError as exc:
        raise ModelDefinitionError(f"{where}: {type(exc).__name__}: {exc}") from None
