"""Render one template layer with copier into memory: {repo-relative path: bytes}.

The layer's answers file is rewritten to record where it came from as a stable name and
template version (never a local path), plus the paths an adopted repository already had
(which later updates must leave alone).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from mlops_ladder.errors import LadderError
from mlops_ladder.generator.project_state import ADOPTED_KEY, PACKAGE_DIR_KEY, USER_FILES_KEY
from mlops_ladder.generator.questions import OMITTED_AT_DEFAULT

# Files that can sit beside the templates but are never template files: bytecode that pip writes when
# it installs the wheel (it compiles every .py, template sources included), and editor and OS litter.
# copier drops such files by default only for templates without `_subdirectory`; ours have one.
NEVER_RENDERED = ("__pycache__", "*.py[cod]", "*$py.class", ".DS_Store", "*~", "*.swp")


class TemplateError(LadderError):
    """A template layer failed to render or broke the layer contract (a bug in mlops-ladder)."""


def render_files(
    layer_dir: Path,
    layer_id: str,
    answers: Mapping[str, Any],
    version: str,
    user_files: Iterable[str] = (),
    adopted: bool = False,
    package_dir: str | None = None,
) -> dict[str, bytes]:
    """Render a layer; with *package_dir*, the template's src/<package>/ files move into that folder."""
    import copier  # 0.25 s to import: only when rendering

    with tempfile.TemporaryDirectory(prefix="mlops-ladder-render-") as tmp:
        try:
            copier.run_copy(
                str(layer_dir),
                tmp,
                data=dict(answers),
                exclude=NEVER_RENDERED,
                defaults=True,
                quiet=True,
                overwrite=True,
            )
        except Exception as exc:  # copier's own errors name the template file at fault
            raise TemplateError(f"template layer {layer_id} failed to render: {exc}") from exc
        root = Path(tmp)
        files = {
            p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
        }
    answers_file = answers_path(layer_id)
    if answers_file not in files:
        raise TemplateError(f"template layer {layer_id} did not write its answers file {answers_file}")
    files[answers_file] = stamp_answers(
        files[answers_file], layer_id, version, user_files, adopted, package_dir
    )
    if package_dir:
        package = str(answers["package_name"])
        files = {remap_package_path(path, package, package_dir): data for path, data in files.items()}
    return files


def answers_path(layer_id: str) -> str:
    return f".mlops-ladder/{layer_id}.answers.yml"


def stamp_answers(
    content: bytes,
    layer_id: str,
    version: str,
    user_files: Iterable[str] = (),
    adopted: bool = False,
    package_dir: str | None = None,
) -> bytes:
    text = content.decode("utf-8")
    header = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
    data = yaml.safe_load(text) or {}
    data = {
        "_commit": version,
        "_src_path": f"mlops-ladder:{layer_id}",
        **{
            k: v
            for k, v in data.items()
            if k not in ("_commit", "_src_path") and not _omitted(k, v)
        },
    }
    kept = sorted(set(user_files))
    if kept:
        data[USER_FILES_KEY] = kept
    if adopted:
        data[ADOPTED_KEY] = True
    if package_dir:
        data[PACKAGE_DIR_KEY] = package_dir
    return (header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)).encode("utf-8")


def _omitted(key: str, value: Any) -> bool:
    """An answer left out of answers files (questions.OMITTED_AT_DEFAULT)."""
    return key in OMITTED_AT_DEFAULT and value == OMITTED_AT_DEFAULT[key]


def remap_package_path(path: str, package: str, package_dir: str) -> str:
    """A template package file (src/<package>/...) as it lives in a repository whose package is elsewhere."""
    prefix = f"src/{package}/"
    return package_dir + "/" + path[len(prefix) :] if path.startswith(prefix) else path
