"""mlops-ladder: assess the MLOps maturity of an Azure ML project and climb to the next level.

The public API is a handful of plain functions; everything else is internal:

    from mlops_ladder import assess
    report = assess("path/to/repo")
    print(report.level)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:  # pragma: no cover
    from mlops_ladder.assessment.report import Report

__all__ = ["__version__", "assess"]


def assess(path: str = ".", **options: object) -> Report:
    """Assess the repository at *path* and return the report model (see assessment.api)."""
    from mlops_ladder.assessment.api import assess as _assess

    return _assess(path, **options)  # type: ignore[arg-type]
