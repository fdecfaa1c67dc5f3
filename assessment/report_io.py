"""Read a JSON report back into the one report model, so that a report made elsewhere (another
machine's CI, an earlier run) renders in every format, serves as a baseline and joins a portfolio.

The JSON is validated against report.schema.json first; a file that is not an mlops-ladder report,
or one of another major schema version, is a one-line error naming the file.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from mlops_ladder.assessment.checks.base import CheckResult, EvidenceRef, Outcome
from mlops_ladder.assessment.engine import (
    BASIS_EVIDENCE,
    DimensionStatus,
    Finding,
    LevelStatus,
    Score,
    SourceResult,
    Tally,
)
from mlops_ladder.assessment.evidence.answers_model import Answer
from mlops_ladder.assessment.evidence.common import Note
from mlops_ladder.assessment.report import SCHEMA_PATH, SCHEMA_VERSION, Report, SourceStatus, Target
from mlops_ladder.errors import BadInputError
from mlops_ladder.levels.catalog import Criterion, SourceCheck, load_model


def read_report_json(path: Path) -> dict[str, Any]:
    """The parsed, schema-valid JSON report in *path* (BadInputError naming the file otherwise)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInputError(f"{path}: no such file", hint="give the path of a JSON report") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInputError(f"{path}: cannot read: {exc}", hint="check the file") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInputError(
            f"{path}:{exc.lineno}: not JSON ({exc.msg})",
            hint="give a report written by `mlops-ladder assess --format json`",
        ) from None
    check_report_dict(data, str(path))
    return data


def check_report_dict(data: Any, name: str) -> None:
    """BadInputError unless *data* is a JSON report of this major schema version."""
    hint = "give a report written by `mlops-ladder assess --format json`"
    if not isinstance(data, dict) or (data.get("tool") or {}).get("name") != "mlops-ladder":
        raise BadInputError(f"{name}: not an mlops-ladder JSON report", hint=hint)
    version = str(data.get("schema_version", ""))
    if version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        raise BadInputError(
            f"{name}: report schema {version or '?'} cannot be read by this version (reads {SCHEMA_VERSION})",
            hint="assess again with this version, or use the mlops-ladder release that wrote it",
        )
    import jsonschema  # only when a report is read: ~0.1 s to import

    error = jsonschema.exceptions.best_match(_validator().iter_errors(data))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top)"
        raise BadInputError(f"{name}: not a valid report at {where}: {error.message[:160]}", hint=hint)


def report_from_dict(data: dict[str, Any]) -> Report:
    """The Report a JSON report was rendered from (criteria as the report recorded them)."""
    from mlops_ladder.assessment.baseline import baseline_from_dict

    model = load_model()
    findings = [_finding(f, model) for f in data["findings"]]
    levels = tuple(
        LevelStatus(s["number"], s["name"], s["reached"], _tally(s["core"]), _tally(s["minor"]))
        for s in data["levels"]
    )
    dimensions = tuple(
        DimensionStatus(d["id"], d["name"], _tally(d["core"]), _tally(d["minor"])) for d in data["dimensions"]
    )
    target = data["target"]
    return Report(
        tool_version=data["tool"]["version"],
        generated_at=data["generated_at"],
        target=Target(
            target["path"], target["is_git"], target["commit"], target.get("prefix", ""), target.get("remote")
        ),
        sources={k: SourceStatus(v["collected"], v["detail"]) for k, v in data["sources"].items()},
        model=model,
        score=Score(data["level"], data["ceiling"], levels, dimensions),
        findings=findings,
        notes=[Note(n["path"], n["reason"]) for n in data["notes"]],
        baseline=baseline_from_dict(data["baseline"]) if data.get("baseline") else None,
    )


def _finding(entry: dict[str, Any], model) -> Finding:
    known = model.criterion(entry["id"])
    sources = tuple(
        SourceResult(s["source"], s["check"], CheckResult(Outcome(s["outcome"]), s["found"]))
        for s in entry["sources"]
    )
    criterion = Criterion(
        id=entry["id"],
        name=entry["name"],
        level=entry["level"],
        dimension=entry["dimension"],
        core=entry["core"],
        looks_for=entry["looks_for"],
        evidence=tuple(SourceCheck(s.source, s.check) for s in sources),
        remedy=entry["remedy"],
        layer=entry["layer"],
        refs=known.refs if known else (),
    )
    answer = None
    if entry.get("answer"):
        a = entry["answer"]
        answer = Answer(entry["id"], a["value"], a["by"], date.fromisoformat(a["at"]), a.get("note", ""))
    return Finding(
        criterion,
        Outcome(entry["outcome"]),
        entry["found"],
        tuple(EvidenceRef(e["location"], e["detail"]) for e in entry["evidence"]),
        sources,
        entry.get("basis", BASIS_EVIDENCE),
        answer,
    )


def _tally(d: dict[str, int]) -> Tally:
    return Tally(d["total"], d["met"], d["failed"], d["unknown"])


@cache
def _validator():
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)
