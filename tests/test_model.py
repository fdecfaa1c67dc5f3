"""The maturity model is complete: every criterion has a check, a remedy, a doc and cases."""

from __future__ import annotations

import re

import pytest

from mlops_ladder.assessment.engine import check_signature_problems
from mlops_ladder.levels import load_model
from mlops_ladder.levels.catalog import DOC_SECTIONS

MODEL = load_model()


def test_model_has_enough_criteria_over_every_level_and_dimension() -> None:
    assert len(MODEL.criteria) >= 45
    assert {c.level for c in MODEL.criteria} == {1, 2, 3, 4, 5}
    assert {c.dimension for c in MODEL.criteria} == {d.id for d in MODEL.dimensions}
    for level in range(1, 6):
        assert MODEL.core(level), f"level {level} has no core criterion"
        assert MODEL.minor(level), f"level {level} has no minor criterion"


def test_core_criteria_are_the_rubric_capabilities() -> None:
    """The capabilities an expert reviewer decides a level by (../shared/calibration/RUBRIC.md);
    everything else is a minor practice. Changing this set changes every verdict."""
    core = {level: {c.id for c in MODEL.core(level)} for level in range(1, 6)}
    assert core == {
        1: {"MLL-101", "MLL-102", "MLL-116", "MLL-104"},
        2: {"MLL-201", "MLL-202", "MLL-203", "MLL-204", "MLL-205"},
        3: {"MLL-301", "MLL-302", "MLL-320", "MLL-309", "MLL-311"},
        4: {"MLL-401", "MLL-403", "MLL-404", "MLL-407"},
        5: {"MLL-508", "MLL-514", "MLL-504", "MLL-509"},
    }


def test_retired_criteria_keep_their_doc_and_say_what_replaced_them() -> None:
    active = {c.id for c in MODEL.criteria}
    for c in MODEL.retired:
        assert c.id not in active
        assert re.search(r"MLL-\d{3}", c.retired or ""), f"{c.id}: say which criterion replaced it"
        assert c.doc_path.exists(), f"{c.id}: a retired criterion keeps its doc"
        assert "retired" in c.doc().lower(), f"{c.id}: its doc must say it is retired"
        assert MODEL.criterion(c.id) is c


def test_every_check_exists_and_accepts_its_parameters() -> None:
    assert check_signature_problems(MODEL) == []


def test_ids_are_stable_format_and_grouped_by_level() -> None:
    for c in (*MODEL.criteria, *MODEL.retired):
        assert re.fullmatch(r"MLL-[1-5]\d\d", c.id), c.id
        assert int(c.id[4]) == c.level, (
            f"{c.id} is at level {c.level}; ids are permanent, add a new one instead"
        )


@pytest.mark.parametrize("criterion", MODEL.criteria, ids=lambda c: c.id)
def test_criterion_has_remedy_and_refs(criterion) -> None:
    assert len(criterion.remedy) > 20
    assert criterion.refs
    assert criterion.looks_for


@pytest.mark.parametrize("criterion", MODEL.criteria, ids=lambda c: c.id)
def test_criterion_has_doc_with_fixed_sections(criterion) -> None:
    assert criterion.doc_path.exists(), f"{criterion.id} has no doc at levels/docs/{criterion.id}.md"
    doc = criterion.doc()
    first = doc.splitlines()[0]
    assert first == f"# {criterion.id}: {criterion.name}", (
        f"doc title must be '# {criterion.id}: {criterion.name}'"
    )
    headings = re.findall(r"^## (.+)$", doc, flags=re.M)
    assert headings == list(DOC_SECTIONS), f"{criterion.id} doc sections {headings} != {list(DOC_SECTIONS)}"
    for section in re.split(r"^## .+$", doc, flags=re.M)[1:]:
        assert section.strip(), f"{criterion.id} doc has an empty section"


def test_every_doc_belongs_to_a_criterion() -> None:
    from mlops_ladder.levels.catalog import DOCS_DIR

    ids = {c.id for c in (*MODEL.criteria, *MODEL.retired)}
    assert {p.stem for p in DOCS_DIR.glob("*.md")} <= ids


@pytest.mark.parametrize("criterion", MODEL.criteria, ids=lambda c: c.id)
def test_criterion_links_to_a_source_model(criterion) -> None:
    links = MODEL.links(criterion)
    assert links, f"{criterion.id} cites no known source model ({', '.join(MODEL.sources)})"
    assert all(url.startswith("https://") for _, url, _ in links)
