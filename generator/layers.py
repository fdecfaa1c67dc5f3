"""The template layers shipped with the package and the plan that orders them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mlops_ladder.generator.render import answers_path

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
if not (TEMPLATES_DIR / "level-1").exists():  # installed wheel: templates/ is the sibling package
    from mlops_ladder import templates as _templates_package

    TEMPLATES_DIR = Path(_templates_package.__file__).parent

MAX_TEMPLATE_LEVEL = 5  # every level has a template layer


@dataclass(frozen=True)
class Layer:
    id: str  # "level-2"
    level: int
    path: Path

    @property
    def answers_file(self) -> str:
        return answers_path(self.id)


def layer(level: int) -> Layer:
    return Layer(f"level-{level}", level, TEMPLATES_DIR / f"level-{level}")


def plan(current_level: int, target_level: int) -> list[Layer]:
    """The layers to add, in order, to go from *current_level* to *target_level*."""
    return [layer(n) for n in range(current_level + 1, target_level + 1)]
