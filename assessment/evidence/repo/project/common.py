"""What the project collectors share: file-name tests over the listing, and TOML loading."""

from __future__ import annotations

import tomllib

from mlops_ladder.assessment.evidence.repo.files import RepoFile, RepoFiles


# RepoFile.name / .suffix build a PurePosixPath on every access; these string helpers are ~20x faster,
# which matters when every listing is walked several times in a 20,000-file repository.
def name_of(repo_file: RepoFile) -> str:
    return repo_file.path.rpartition("/")[2]


def with_suffix(files: RepoFiles, *suffixes: str) -> list[RepoFile]:
    return [f for f in files.files if f.path.lower().endswith(suffixes)]


def named(files: RepoFiles, *names: str) -> list[RepoFile]:
    return [f for f in files.files if f.path.rpartition("/")[2] in names]


def load_toml(files: RepoFiles, path: str) -> dict | None:
    if not files.exists(path):
        return None
    text = files.read_text(path)
    if text is None:
        return None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        files.note(path, f"malformed TOML: {exc}")
        return None
    except RecursionError:  # tomllib recurses once per nested array or inline table
        files.note(path, "malformed TOML: nested too deeply")
        return None
