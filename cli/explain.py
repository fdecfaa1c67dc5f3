"""`mlops-ladder explain ID`: print one criterion's documentation."""

from __future__ import annotations

import difflib
import sys
from typing import Annotated

import typer

from mlops_ladder.errors import BadInputError, ExitCode

CriterionId = Annotated[
    str, typer.Argument(metavar="ID", help="Criterion id, e.g. MLL-205 (see `mlops-ladder levels`).")
]


def explain(criterion_id: CriterionId) -> int:
    """Explain one criterion: why it matters, how it is detected, how to fix it."""
    from mlops_ladder.levels.catalog import load_model

    model = load_model()
    criterion = model.criterion(criterion_id)
    if criterion is None:
        ids = [c.id for c in (*model.criteria, *model.retired)]
        close = difflib.get_close_matches(criterion_id.upper(), ids, n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        raise BadInputError(f"no criterion {criterion_id!r}", hint=hint + "`mlops-ladder levels` lists them")
    flag = f"retired: {criterion.retired}" if criterion.retired else ("core" if criterion.core else "minor")
    header = (
        f"{criterion.id} · level {criterion.level} · {criterion.dimension} · {flag}"
        f" · evidence: {', '.join(criterion.sources)} · template layer: {criterion.layer}\n\n"
    )
    links = "".join(f"- {title} ({cited}): {url}\n" for title, url, cited in model.links(criterion))
    sys.stdout.write(header + criterion.doc() + ("\n## Links\n" + links if links else ""))
    return ExitCode.OK
