"""The report as SARIF 2.1.0, for GitHub code scanning and the Azure DevOps SARIF viewer.

Every evaluated criterion is a rule (its doc is the rule's help). Every failed criterion is a result:
at the files its evidence names (repository-relative, so code scanning shows it on those lines), or,
when the failure is an absence no file shows, at the repository's README, because code scanning
rejects a whole upload when one result has no location. A failure with neither is left out of the
results and listed in the run's properties (`unlocated`).

Result levels follow what matters next: "error" for a core capability that blocks the next level,
"warning" for a minor practice of a level up to the next one, "note" for everything above it. With a
baseline, `baselineState` says whether each failure is new or was already there.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from mlops_ladder.assessment.checks.base import Outcome
from mlops_ladder.assessment.engine import Finding
from mlops_ladder.assessment.render.links import split_location
from mlops_ladder.assessment.report import Report

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "mlops-ladder"  # tool.driver.name: how our SARIF files are recognised
MAX_LOCATIONS = 10  # code scanning keeps at most 10 locations per result
README_NAMES = ("README.md", "README.rst", "README.txt", "README", "readme.md", "Readme.md")


def render(report: Report, *, show_all: bool = False) -> str:
    return json.dumps(to_sarif(report), indent=2, ensure_ascii=False) + "\n"


def to_sarif(report: Report) -> dict[str, Any]:
    rule_index = {f.criterion.id: i for i, f in enumerate(report.findings)}
    anchor = _readme(report)
    results, unlocated = [], []
    for finding in report.findings:
        if finding.outcome != Outcome.FAIL:
            continue
        result = _result(report, finding, rule_index[finding.criterion.id], anchor)
        if result is None:
            unlocated.append(finding.criterion.id)
        else:
            results.append(result)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": report.tool_version,
                "semanticVersion": report.tool_version,
                "rules": [_rule(f) for f in report.findings],
            }
        },
        # One analysis per assessed folder: several folders of a monorepo do not replace each other.
        "automationDetails": {"id": f"mlops-ladder/{report.target.prefix or '.'}"},
        "invocations": [
            {
                "executionSuccessful": True,
                "endTimeUtc": _utc(report.generated_at),
                "toolExecutionNotifications": [
                    {"level": "note", "message": {"text": f"{note.path}: {note.reason}"}}
                    for note in report.notes[:100]
                ],
            }
        ],
        "results": results,
        "properties": {
            "level": report.level,
            "levelName": report.level_name,
            "levelOnEvidence": report.level_on_evidence,
            "ceiling": report.ceiling,
            "nextLevel": report.next_level,
            "unlocated": unlocated,
            **({"baseline": report.baseline.to_dict()} if report.baseline else {}),
        },
    }
    if report.target.remote and report.target.commit:
        run["versionControlProvenance"] = [
            {"repositoryUri": report.target.remote, "revisionId": report.target.commit}
        ]
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _rule(finding: Finding) -> dict[str, Any]:
    c = finding.criterion
    try:
        doc = c.doc()
    except OSError:  # a criterion of an older report that this version no longer documents
        doc = f"{c.name}\n\nLooks for: {c.looks_for}\n\nRemedy: {c.remedy}"
    return {
        "id": c.id,
        "name": _pascal(c.name),
        "shortDescription": {"text": c.name},
        "fullDescription": {"text": f"Looks for {c.looks_for}."},
        "help": {"text": doc, "markdown": doc},
        "defaultConfiguration": {"level": "error" if c.core else "warning"},
        "properties": {
            "tags": ["mlops", c.dimension, f"level-{c.level}", "core" if c.core else "minor"],
            "level": c.level,
            "dimension": c.dimension,
            "core": c.core,
        },
    }


def _result(report: Report, finding: Finding, index: int, anchor: str | None) -> dict[str, Any] | None:
    c = finding.criterion
    locations = []
    for ref in finding.evidence:
        parsed = split_location(ref.location)
        if parsed is None:
            continue
        path, line = parsed
        locations.append(_location(report.target.prefix + path, line, ref.detail))
        if len(locations) == MAX_LOCATIONS:
            break
    anchored = not locations
    if anchored:
        if anchor is None:
            return None
        locations = [_location(anchor, 1, "repository-level: no single file shows this")]
    message = f"{c.name}: {finding.found}. Remedy: {c.remedy}"
    if anchored:
        message = f"{c.name} (the repository as a whole): {finding.found}. Remedy: {c.remedy}"
    result: dict[str, Any] = {
        "ruleId": c.id,
        "ruleIndex": index,
        "level": _level(report, finding),
        "message": {"text": message},
        "locations": locations,
        # One alert per criterion and folder, however its lines move.
        "partialFingerprints": {"mlopsLadderCriterion/v1": f"{report.target.prefix}{c.id}"},
        "properties": {"basis": finding.basis, "anchoredAtReadme": anchored},
    }
    if report.baseline is not None:
        # A failure now that was not one in the baseline changed outcome (lost, or unknown -> fail).
        changed = {ch.id for ch in (*report.baseline.lost, *report.baseline.other)}
        result["baselineState"] = "new" if c.id in changed else "unchanged"
    return result


def _location(uri: str, line: int | None, detail: str) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"}}
    if line:
        physical["region"] = {"startLine": line}
    location: dict[str, Any] = {"physicalLocation": physical}
    if detail:
        location["message"] = {"text": detail}
    return location


def _level(report: Report, finding: Finding) -> str:
    c = finding.criterion
    horizon = report.next_level or report.model.max_level
    if c.level > horizon:
        return "note"
    return "error" if c.core else "warning"


def _readme(report: Report) -> str | None:
    """The repository-relative README of the assessed folder, when it is on this machine."""
    root = Path(report.target.path)
    for name in README_NAMES:
        if (root / name).is_file():
            return report.target.prefix + name
    return None


def _pascal(text: str) -> str:
    return "".join(word[:1].upper() + word[1:] for word in re.findall(r"[A-Za-z0-9]+", text))


def _utc(timestamp: str) -> str:
    """SARIF wants UTC date-times ending in Z."""
    return timestamp.replace("+00:00", "Z")
