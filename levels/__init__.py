"""The maturity model as data: levels, dimensions, template layers and criteria (criteria/*.yaml),
with one doc per criterion (docs/<ID>.md). `load_model()` reads and validates it."""

from mlops_ladder.levels.catalog import Criterion, MaturityModel, SourceCheck, load_model

__all__ = ["Criterion", "MaturityModel", "SourceCheck", "load_model"]
