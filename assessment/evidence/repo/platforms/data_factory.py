"""Data pipelines of Azure Data Factory and Azure Synapse: where training data comes from, as code.

Both keep their definitions as JSON in the same git-integration layout: a root folder with
`pipeline/`, `dataset/`, `linkedService/` and `trigger/` (Synapse adds `notebook/`, `sqlscript/`...);
exported, the same entities are ARM resources (`Microsoft.DataFactory/factories/pipelines`,
`Microsoft.Synapse/workspaces/pipelines`, ...). A pipeline whose activities read a dataset bound to a
linked service (a Copy activity's `inputs`, a Lookup or Get Metadata `dataset`) declares its data
source: one DATA_SOURCE fact per pipeline, saying what it reads and writes, whether a trigger runs it
(repeatable), whether it registers a data asset version or writes one folder per run (versioned) and
whether its names are parameters of an export deployed per environment (environment-aware). A pipeline
that both declares a source and versions its output also gets a DATA_VERSION fact (MLL-112 reads it).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.jsonfile import load_json
from mlops_ladder.assessment.evidence.repo.files import RepoFiles
from mlops_ladder.assessment.evidence.repo.platforms.model import (
    FactKind,
    Platform,
    PlatformEvidence,
    PlatformFact,
)

P = Platform.DATA_FACTORY
ARM_KINDS = {  # ARM resource type (lower case) -> git-layout folder
    f"microsoft.{provider}/{parent}/{kind}": folder
    for provider, parent in (("datafactory", "factories"), ("synapse", "workspaces"))
    for kind, folder in (
        ("pipelines", "pipeline"),
        ("datasets", "dataset"),
        ("linkedservices", "linkedService"),
        ("triggers", "trigger"),
    )
}
READ_KEYS = ("dataset",)  # typeProperties of Lookup, GetMetadata, Delete, Validation


def collect(files: RepoFiles, evidence: PlatformEvidence) -> None:
    roots = sorted(
        {
            f.path.rsplit("/", 2)[0] if f.path.count("/") >= 2 else ""
            for f in files.with_suffix(".json")
            if f.path.split("/")[-2:-1] == ["pipeline"]
        }
    )
    for root in roots:
        entities = {
            folder: _folder(files, root, folder)
            for folder in ("pipeline", "dataset", "linkedService", "trigger")
        }
        _facts(entities, evidence, exported=False)
    for file in files.with_suffix(".json"):
        if file.path.split("/")[-2:-1] == ["pipeline"]:
            continue
        entities = _arm_entities(files, file.path)
        if entities["pipeline"]:
            _facts(entities, evidence, exported=True)


def _read(files: RepoFiles, path: str) -> Any:
    text = files.read_text(path)
    if text is None:
        return None
    try:
        return load_json(text)
    except json.JSONDecodeError as exc:
        files.note(path, f"not read as Data Factory JSON: {exc.msg} (line {exc.lineno})")
        return None


def _folder(files: RepoFiles, root: str, folder: str) -> dict[str, tuple[str, dict]]:
    """{entity name: (path, body)} of one folder of a git-integration root."""
    found = {}
    for file in files.under(f"{root}/{folder}" if root else folder):
        if file.path.endswith(".json") and file.path.count("/") == (root.count("/") + 2 if root else 1):
            body = _read(files, file.path)
            if isinstance(body, dict) and isinstance(body.get("properties"), dict):
                found[str(body.get("name") or file.path.rsplit("/", 1)[-1][:-5])] = (file.path, body)
    return found


def _arm_entities(files: RepoFiles, path: str) -> dict[str, dict[str, tuple[str, dict]]]:
    entities: dict[str, dict[str, tuple[str, dict]]] = {
        f: {} for f in ("pipeline", "dataset", "linkedService", "trigger")
    }
    text = files.read_text(path)
    if (
        text is None
        or ("microsoft.datafactory/" not in text.lower()
        and "microsoft.synapse/" not in text.lower())
    ):
        return entities
    template = _read(files, path)
    resources = template.get("resources") if isinstance(template, dict) else None
    for resource in resources if isinstance(resources, list) else []:
        folder = ARM_KINDS.get(str(resource.get("type", "")).lower()) if isinstance(resource, dict) else None
        if folder and isinstance(resource.get("properties"), dict):
            name = str(resource.get("name", "")).rstrip("')]").rsplit("/", 1)[-1]
            entities[folder][name] = (path, resource)
    return entities


def _activities(items: Any) -> Iterator[dict]:
    for activity in items if isinstance(items, list) else []:
        if isinstance(activity, dict):
            yield activity
            properties = (
                activity.get("typeProperties") if isinstance(activity.get("typeProperties"), dict) else {}
            )
            for key in ("ifTrueActivities", "ifFalseActivities", "activities", "defaultActivities"):
                yield from _activities(properties.get(key))
            for case in properties.get("cases", []) if isinstance(properties.get("cases"), list) else []:
                yield from _activities(case.get("activities") if isinstance(case, dict) else None)


def _names(references: Any) -> list[str]:
    if isinstance(references, dict):
        references = [references]
    return [
        str(r["referenceName"]) for r in references or [] if isinstance(r, dict) and r.get("referenceName")
    ]


def _facts(
    entities: dict[str, dict[str, tuple[str, dict]]], evidence: PlatformEvidence, exported: bool
) -> None:
    datasets = {name: body["properties"] for name, (_, body) in entities["dataset"].items()}
    services = {name: body["properties"] for name, (_, body) in entities["linkedService"].items()}
    for name, (path, body) in entities["pipeline"].items():
        reads, writes, versioning = [], [], []  # versioning: the activities that version the output
        for activity in _activities(body["properties"].get("activities")):
            properties = (
                activity.get("typeProperties") if isinstance(activity.get("typeProperties"), dict) else {}
            )
            reads += _names(activity.get("inputs")) + [
                n for key in READ_KEYS for n in _names(properties.get(key))
            ]
            writes += _names(activity.get("outputs"))
            text = json.dumps(activity)
            label = str(activity.get("name") or activity.get("type") or "activity")
            if "/data/" in text and "/versions/" in text:  # the Azure ML REST route data/{name}/versions/{v}
                versioning.append(f"{label} creates an Azure ML data asset version")
            elif "RunId" in json.dumps(activity.get("outputs", [])):
                versioning.append(f"{label} writes a folder named by the run id")
        sources = [d for d in dict.fromkeys(reads) if _names(datasets.get(d, {}).get("linkedServiceName"))]
        if not sources:
            continue
        service = _names(datasets[sources[0]].get("linkedServiceName"))[0]
        kind = services.get(service, {}).get("type", "linked service")
        triggers = [t for t, (_, tb) in entities["trigger"].items() if name in _trigger_pipelines(tb)]
        qualities = [f"triggered by {', '.join(triggers)}" if triggers else "no trigger (run by hand)"]
        qualities.append("versions its output" if versioning else "output not versioned")
        if exported:
            qualities.append("exported ARM template")
        detail = (
            f"pipeline {name} reads {', '.join(sources)} ({kind} {service})"
            + (f" and writes {', '.join(dict.fromkeys(writes))}" if writes else "")
            + f"; {'; '.join(qualities)}"
        )
        evidence.facts.append(PlatformFact(P, FactKind.DATA_SOURCE, Location(path, 1), detail, (path,)))
        if versioning:
            evidence.facts.append(
                PlatformFact(
                    P,
                    FactKind.DATA_VERSION,
                    Location(path, 1),
                    f"pipeline {name} writes a new version of its output per run"
                    f" (activity {'; '.join(dict.fromkeys(versioning))})",
                    (path,),
                )
            )


def _trigger_pipelines(body: dict) -> list[str]:
    pipelines = body["properties"].get("pipelines")
    names = [n for p in pipelines or [] if isinstance(p, dict) for n in _names(p.get("pipelineReference"))]
    return names + _names(
        body["properties"].get("pipeline", {}).get("pipelineReference")
        if isinstance(body["properties"].get("pipeline"), dict)
        else None
    )
