"""The manifest loader: rendering paths and wire notes with the answers, matching, and refusing
malformed manifests with an error that names the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_ladder.errors import ModelDefinitionError
from mlops_ladder.generator.manifest import MANIFEST_FILE, ManifestEntry, load_manifest

ANSWERS = {"package_name": "fraud", "environments": ["dev", "prod"], "deployment_kind": "batch"}


def layer(tmp_path: Path, text: str | bytes) -> Path:
    manifest = tmp_path / MANIFEST_FILE
    if isinstance(text, bytes):
        manifest.write_bytes(text)
    else:
        manifest.write_text(text, encoding="utf-8")
    return tmp_path


def test_paths_and_wire_notes_render_with_the_answers(tmp_path: Path) -> None:
    manifest = load_manifest(
        layer(
            tmp_path,
            """
files:
  - path: "src/{{ package_name }}/prep.py"
    satisfies: [MLL-102, MLL-105]
    contract: false
    wire: >-
      Runs `python -m {{ package_name }}.prep`
      in {{ environments[0] }}.
  - path: "mlops/config.yml"
    satisfies: []
    contract: true
""",
        ),
        ANSWERS,
    )
    assert manifest.entries == (
        ManifestEntry(
            "src/fraud/prep.py", ("MLL-102", "MLL-105"), False, "Runs `python -m fraud.prep` in dev."
        ),
        ManifestEntry("mlops/config.yml", (), True, None),
    )
    assert manifest.source == tmp_path / MANIFEST_FILE


def test_entry_for_takes_the_first_matching_glob(tmp_path: Path) -> None:
    manifest = load_manifest(
        layer(
            tmp_path,
            """
files:
  - {path: "tests/test_ci_env.py", satisfies: [MLL-105], contract: false}
  - {path: "tests/*.py", satisfies: [MLL-105], contract: false, wire: "generic"}
  - {path: "infra/env/*.bicepparam", satisfies: [MLL-318], contract: false}
""",
        ),
        ANSWERS,
    )
    assert manifest.entry_for("tests/test_ci_env.py").wire is None
    assert manifest.entry_for("tests/test_data.py").wire == "generic"
    assert manifest.entry_for("infra/env/prod.bicepparam").satisfies == ("MLL-318",)
    assert manifest.entry_for("infra/main.bicep") is None
    assert manifest.entry_for("TESTS/test_data.py") is None  # case-sensitive on every platform


def test_a_wire_note_that_renders_empty_is_no_note(tmp_path: Path) -> None:
    manifest = load_manifest(
        layer(
            tmp_path,
            """
files:
  - path: "scripts/rollout.py"
    satisfies: []
    contract: false
    wire: "{% if deployment_kind == 'online' %}Call it from the deploy job.{% endif %}"
""",
        ),
        ANSWERS,
    )
    assert manifest.entries[0].wire is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("files: [", "expected the node content.* at line 1"),
        ("- path: a", "expected a mapping with one key"),
        ("files: []", "`files:` is empty"),
        ("files:\n  - just-a-path\n", r"files\[0\]: expected a mapping"),
        ("files:\n  - {path: a, satisfies: []}\n", r"missing keys \['contract'\]"),
        ("files:\n  - {path: a, satisfies: [], contract: false, owner: me}\n", r"unknown keys \['owner'\]"),
        ("files:\n  - {path: '', satisfies: [], contract: false}\n", "`path` must be a non-empty string"),
        ("files:\n  - {path: a, satisfies: MLL-101, contract: false}\n", "list of criterion ids"),
        ("files:\n  - {path: a, satisfies: [mll-101], contract: false}\n", "list of criterion ids"),
        ("files:\n  - {path: a, satisfies: [], contract: 'yes'}\n", "`contract` must be true or false"),
        ("files:\n  - {path: a, satisfies: [], contract: false, wire: [x]}\n", "`wire` must be a string"),
        ("files:\n  - {path: '/etc/{{ package_name }}', satisfies: [], contract: false}\n", "not a relative"),
        ("files:\n  - {path: '{{ projekt }}/a', satisfies: [], contract: false}\n", "UndefinedError"),
        ("files:\n  - {path: a, satisfies: [], contract: false, wire: '{% if %}'}\n", "wire: TemplateSyntax"),
    ],
)
def test_malformed_manifests_name_the_file(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ModelDefinitionError, match=message) as caught:
        load_manifest(layer(tmp_path, text), ANSWERS)
    assert str(tmp_path / MANIFEST_FILE) in caught.value.message


def test_the_sandbox_refuses_unsafe_expressions(tmp_path: Path) -> None:
    text = "files:\n  - {path: \"{{ ''.__class__.__mro__ }}\", satisfies: [], contract: false}\n"
    with pytest.raises(ModelDefinitionError, match="SecurityError"):
        load_manifest(layer(tmp_path, text), ANSWERS)


@pytest.mark.parametrize("content", [b"\xff\xfe\x00bad", None])
def test_unreadable_or_missing_manifest(tmp_path: Path, content: bytes | None) -> None:
    if content is not None:
        layer(tmp_path, content)
    with pytest.raises(ModelDefinitionError, match=MANIFEST_FILE):
        load_manifest(tmp_path, ANSWERS)
