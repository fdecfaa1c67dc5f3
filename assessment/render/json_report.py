"""The report as JSON (schema: assessment/report.schema.json, version in `schema_version`)."""

from __future__ import annotations

import json

from mlops_ladder.assessment.report import Report


def render(report: Report, *, show_all: bool = True) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
