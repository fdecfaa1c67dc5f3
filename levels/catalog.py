"""Load the maturity model (levels, dimensions, layers, criteria) from the YAML beside this file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from mlops_ladder.errors import ModelDefinitionError

MODEL_DIR = Path(__file__).parent
CRITERIA_DIR = MODEL_DIR / "criteria"
DOCS_DIR = MODEL_DIR / "docs"

EVIDENCE_SOURCES = ("repo", "azure", "answers")
DOC_SECTIONS = ("Synopsis", "Why it matters", "How it is detected", "How to fix", "Sources")


@dataclass(frozen=True)
class Level:
    number: int
    name: str
    summary: str


@dataclass(frozen=True)
class Dimension:
    id: str
    name: str
    summary: str


@dataclass(frozen=True)
class Layer:
    id: str
    summary: str


@dataclass(frozen=True)
class SourceCheck:
    """How one evidence source decides a criterion: a check name and its parameters."""

    source: str  # repo | azure | answers
    check: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Criterion:
    id: str
    name: str
    level: int
    dimension: str
    core: bool  # a core capability decides its level; a minor practice is a remedy only
    looks_for: str
    evidence: tuple[SourceCheck, ...]
    remedy: str
    layer: str
    refs: tuple[str, ...]
    # Why the criterion is no longer evaluated and what replaced it. Ids are permanent: a retired
    # criterion keeps its entry and its doc so that old reports and links still explain it.
    retired: str | None = None

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(s.source for s in self.evidence)

    @property
    def doc_path(self) -> Path:
        return DOCS_DIR / f"{self.id}.md"

    def doc(self) -> str:
        return self.doc_path.read_text(encoding="utf-8")


@dataclass(frozen=True)
class MaturityModel:
    levels: tuple[Level, ...]
    dimensions: tuple[Dimension, ...]
    layers: tuple[Layer, ...]
    criteria: tuple[Criterion, ...]  # the criteria that are evaluated
    sources: Mapping[str, Mapping[str, str]]
    retired: tuple[Criterion, ...] = ()  # kept for their ids and docs, never evaluated

    @property
    def max_level(self) -> int:
        return max(level.number for level in self.levels)

    def level(self, number: int) -> Level:
        return next(level for level in self.levels if level.number == number)

    def dimension(self, dimension_id: str) -> Dimension:
        return next(d for d in self.dimensions if d.id == dimension_id)

    def links(self, criterion: Criterion) -> list[tuple[str, str, str]]:
        """(source title, url, what the criterion cites) for each ref naming a known source model."""
        out = []
        for ref in criterion.refs:
            key, _, cited = ref.partition(":")
            source = self.sources.get(key.strip())
            if source:
                out.append((source["title"], source["url"], cited.strip()))
        return out

    def criterion(self, criterion_id: str) -> Criterion | None:
        """The criterion with this id, retired ones included."""
        wanted = criterion_id.strip().upper()
        return next((c for c in (*self.criteria, *self.retired) if c.id == wanted), None)

    def core(self, level: int) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if c.level == level and c.core)

    def minor(self, level: int) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if c.level == level and not c.core)


_CRITERION_KEYS = {
    "id",
    "name",
    "level",
    "dimension",
    "core",
    "looks_for",
    "evidence",
    "remedy",
    "layer",
    "refs",
}
_OPTIONAL_KEYS = {"retired"}


@cache
def load_model() -> MaturityModel:
    """The packaged maturity model. Raises ModelDefinitionError when the YAML is inconsistent."""
    return load_model_from(MODEL_DIR)


def load_model_from(directory: Path) -> MaturityModel:
    raw = _read_yaml(directory / "model.yaml")
    levels = tuple(Level(int(x["number"]), str(x["name"]), str(x["summary"])) for x in raw["levels"])
    dimensions = tuple(Dimension(str(x["id"]), str(x["name"]), str(x["summary"])) for x in raw["dimensions"])
    layers = tuple(Layer(str(x["id"]), str(x["summary"])) for x in raw["layers"])
    criteria: list[Criterion] = []
    for path in sorted((directory / "criteria").glob("*.yaml")):
        entries = _read_yaml(path) or []
        if not isinstance(entries, list):
            raise ModelDefinitionError(f"{path.name}: expected a list of criteria")
        criteria.extend(_criterion(entry, path.name) for entry in entries)
    model = MaturityModel(
        levels,
        dimensions,
        layers,
        tuple(c for c in criteria if not c.retired),
        raw.get("sources", {}),
        retired=tuple(c for c in criteria if c.retired),
    )
    _validate(model)
    return model


# libyaml's parser when PyYAML has it: the model is loaded by every assessment (~5x faster)
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_SafeLoader)
    except (OSError, yaml.YAMLError) as exc:
        raise ModelDefinitionError(f"{path.name}: {exc}") from None


def _criterion(entry: dict, where: str) -> Criterion:
    ident = entry.get("id", "?")
    unknown_keys = set(entry) - _CRITERION_KEYS - _OPTIONAL_KEYS
    missing = _CRITERION_KEYS - set(entry)
    if unknown_keys or missing:
        raise ModelDefinitionError(
            f"{where}: criterion {ident}: unknown keys {sorted(unknown_keys)}, missing keys {sorted(missing)}"
        )
    evidence = []
    for source, spec in (entry["evidence"] or {}).items():
        if source not in EVIDENCE_SOURCES:
            raise ModelDefinitionError(f"{where}: criterion {ident}: unknown evidence source {source!r}")
        evidence.append(SourceCheck(source, str(spec["check"]), dict(spec.get("params") or {})))
    return Criterion(
        id=str(ident),
        name=str(entry["name"]),
        level=int(entry["level"]),
        dimension=str(entry["dimension"]),
        core=bool(entry["core"]),
        looks_for=str(entry["looks_for"]),
        evidence=tuple(evidence),
        remedy=str(entry["remedy"]).strip(),
        layer=str(entry["layer"]),
        refs=tuple(str(r) for r in entry["refs"]),
        retired=str(entry["retired"]).strip() if entry.get("retired") else None,
    )


def _validate(model: MaturityModel) -> None:
    numbers = {level.number for level in model.levels}
    if numbers != set(range(len(numbers))):
        raise ModelDefinitionError("model.yaml: levels must be numbered 0..N without gaps")
    dimension_ids = {d.id for d in model.dimensions}
    layer_ids = {layer.id for layer in model.layers}
    seen: set[str] = set()
    for c in (*model.criteria, *model.retired):
        problems = []
        if c.id in seen:
            problems.append("duplicate id")
        seen.add(c.id)
        if c.level not in numbers or c.level == 0:
            problems.append(f"level {c.level} is not one of 1..{max(numbers)}")
        if c.dimension not in dimension_ids:
            problems.append(f"unknown dimension {c.dimension!r}")
        if c.layer not in layer_ids:
            problems.append(f"unknown layer {c.layer!r}")
        if not c.evidence and not c.retired:
            problems.append("no evidence source")
        if problems:
            raise ModelDefinitionError(f"criterion {c.id}: " + "; ".join(problems))
    for level in model.levels[1:]:
        if not model.core(level.number):
            raise ModelDefinitionError(f"level {level.number} has no core criterion: nothing could decide it")
