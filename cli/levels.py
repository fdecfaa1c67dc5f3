"""`mlops-ladder levels`: print the maturity model (levels, dimensions, criteria)."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from mlops_ladder.errors import ExitCode

JsonOption = Annotated[bool, typer.Option("--json", help="Print the model as JSON.")]
LevelFilter = Annotated[
    int | None,
    typer.Option("--level", "-l", metavar="N", min=1, max=5, help="Only level N's criteria (1-5)."),
]


def levels(as_json: JsonOption = False, level: LevelFilter = None) -> int:
    """Print the maturity model: levels, dimensions and every criterion."""
    from mlops_ladder.levels.catalog import load_model

    model = load_model()
    criteria = [c for c in model.criteria if level is None or c.level == level]
    if as_json:
        data = {
            "levels": [{"number": lv.number, "name": lv.name, "summary": lv.summary} for lv in model.levels],
            "dimensions": [{"id": d.id, "name": d.name, "summary": d.summary} for d in model.dimensions],
            "criteria": [
                {
                    "id": c.id,
                    "name": c.name,
                    "level": c.level,
                    "dimension": c.dimension,
                    "core": c.core,
                    "sources": list(c.sources),
                    "looks_for": c.looks_for,
                    "remedy": c.remedy,
                    "layer": c.layer,
                }
                for c in criteria
            ],
            "retired": [
                {"id": c.id, "name": c.name, "level": c.level, "retired": c.retired}
                for c in model.retired
                if level is None or c.level == level
            ],
        }
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return ExitCode.OK
    out = []
    for lv in model.levels:
        if level is not None and lv.number != level:
            continue
        out.append(f"Level {lv.number}: {lv.name}\n  {lv.summary}")
        for c in (c for c in criteria if c.level == lv.number):
            flag = "core" if c.core else "minor"
            out.append(f"  {c.id}  {flag:<5}  {c.dimension:<19}  {c.name}  [{', '.join(c.sources)}]")
        for c in (c for c in model.retired if c.level == lv.number):
            out.append(f"  {c.id}  retired  {c.name}: {c.retired}")
        out.append("")
    out.append("Dimensions: " + ", ".join(f"{d.id} ({d.name})" for d in model.dimensions))
    out.append(
        "A level is reached when every core criterion of that level and of all lower levels is met;"
        " minor criteria are remedies and never hold a level back. Unknown is never counted as failed."
    )
    out.append("Explain one criterion: mlops-ladder explain MLL-101")
    sys.stdout.write("\n".join(out) + "\n")
    return ExitCode.OK
