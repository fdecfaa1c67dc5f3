"""Variables and paths in CI scripts.

Variables whose value is a literal are substituted; paths are resolved against the working
directory. Anything that cannot be resolved stays as written (it keeps its `$`), so a check
can tell "cannot resolve" from "wrong file".

Shell parameter expansions: `${VAR:-default}` and `${VAR:=default}` (the default when VAR is
not set), `${VAR%/*}` (the folder of a path), `$0` / `${BASH_SOURCE[0]}` (a script's own path)
and `$1`, `$2`... (its arguments). The checkout folder (`${{ github.workspace }}`,
`$(System.DefaultWorkingDirectory)`, `$CI_PROJECT_DIR`) and a script's own folder are written
with the REPO_ROOT prefix: such a path is anchored at the repository root, whatever the
working directory of the command that uses it.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping

from mlops_ladder.assessment.evidence.repo.ci.commands.model import use_folder

# Variables that name the checkout folder: the repository root.
_WORKSPACE_VARIABLES = frozenset(
    {
        "github.workspace",
        "github_workspace",
        "system.defaultworkingdirectory",
        "build.sourcesdirectory",
        "build.repository.localpath",
        "system_defaultworkingdirectory",
        "build_sourcesdirectory",
        "build_repository_localpath",
        "ci_project_dir",
    }
)
_VARIABLE = re.compile(
    r"\$\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}"  # ${{ env.X }} (GitHub), ${{ variables.X }} (Azure DevOps)
    r"|\$\{([A-Za-z_]\w*|\d+)\}"  # ${X}, ${1}
    r"|\$\(([A-Za-z_][\w.-]*)\)"  # $(X): Azure DevOps macro
    r"|\$env:([A-Za-z_]\w*)"  # PowerShell
    r"|\$([A-Za-z_]\w*|\d)"  # $X, $0, $1
)
_EXPRESSION_CONTEXTS = ("env.", "variables.")
_PARAMETER = re.compile(r"([A-Za-z_]\w*|\d+)(\[[0@*]\])?(?:(:?[-=+])(.*)|(%%?|,,|\^\^)(.*))?", re.S)
REPO_ROOT = "//repo"  # a path written from the repository root (see the module docstring)


def anchored(path: str) -> str:
    """The repo path *path* written from the repository root (REPO_ROOT/path)."""
    return REPO_ROOT if path in ("", ".") else f"{REPO_ROOT}/{path}"


def expand(text: str, env: Mapping[str, str]) -> str:
    """Substitute the variables of *text* whose value is known; leave the others as written."""
    if "$" not in text:
        return text
    if "${" in text:
        text = _expand_parameters(text, env)

    def value(match: re.Match[str]) -> str:
        name = next(group for group in match.groups() if group)
        if match.group(1):
            lowered = name.lower()
            if lowered in _WORKSPACE_VARIABLES:
                return REPO_ROOT
            context = next((c for c in _EXPRESSION_CONTEXTS if lowered.startswith(c)), None)
            if context is None:
                return match.group(0)
            name = name[len(context) :]
        known = _lookup(name, env)
        return known if known is not None else match.group(0)

    return _VARIABLE.sub(value, text)


def _lookup(name: str, env: Mapping[str, str]) -> str | None:
    if name.lower() in _WORKSPACE_VARIABLES:
        return REPO_ROOT
    known = env.get(name)
    return known if known is not None else env.get(name.upper().replace(".", "_"))


def _expand_parameters(text: str, env: Mapping[str, str]) -> str:
    """`${...}` shell parameter expansions (not `${{ }}` expressions), innermost defaults first."""
    out: list[str] = []
    index = 0
    while True:
        start = text.find("${", index)
        if start < 0:
            out.append(text[index:])
            return "".join(out)
        out.append(text[index:start])
        end = _closing_brace(text, start + 2)
        if text.startswith("${{", start) or end < 0:
            out.append(text[start : start + 2])
            index = start + 2
            continue
        body = text[start + 2 : end]
        replaced = _parameter(body, env)
        out.append(replaced if replaced is not None else text[start : end + 1])
        index = end + 1


def _closing_brace(text: str, index: int) -> int:
    depth = 1
    while index < len(text):
        if text.startswith("${", index):
            depth += 1
            index += 2
            continue
        if text[index] == "}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return -1


def _parameter(body: str, env: Mapping[str, str]) -> str | None:
    """The value of `${body}`, or None when it cannot be known."""
    match = _PARAMETER.fullmatch(body)
    if not match:
        return None
    name, index, default_op, word, trim_op, pattern = match.groups()
    if index and not (name == "BASH_SOURCE" and index in ("[0]", "[@]", "[*]")):
        return None  # array elements are expanded by the script reader
    known = _lookup(name, env)
    if default_op:
        if default_op.endswith("+"):
            return None if known is None else expand(word, env)
        unset = known is None or (default_op.startswith(":") and known == "")
        return expand(word, env) if unset else known
    if known is None or "$" in known:
        return None
    if trim_op == "%" and pattern == "/*":
        return posixpath.dirname(known)  # ${0%/*}: the folder of a path
    if trim_op == ",,":
        return known.lower()
    if trim_op == "^^":
        return known.upper()
    return None if trim_op else known


def is_unresolved(path: str) -> bool:
    """True when *path* still holds a variable or expression (it could not be resolved)."""
    return "$" in path or "{{" in path


def resolve_path(path: str, cwd: str = "") -> str:
    """*path* as a normalised repo path, relative to *cwd*; unresolvable paths stay as written.
    *cwd* may be passed unread (ShellState.folder): it is recorded as used only when needed."""
    text = path.strip().replace("\\", "/") if "\\" in path and "/" not in path else path.strip()
    if not text:
        return text
    if is_unresolved(text):
        return text
    if text.startswith(REPO_ROOT):
        rest = text[len(REPO_ROOT) :].lstrip("/")
        return posixpath.normpath(rest) if rest else "."
    if text.startswith("/") or "://" in text or re.match(r"^[A-Za-z]:/", text):
        return text
    use_folder(cwd)  # only a relative path depends on the folder (memo.py)
    if cwd and is_unresolved(cwd):
        return posixpath.join(cwd, text)  # visibly unresolved
    return posixpath.normpath(posixpath.join(cwd, text) if cwd else text)


def dealias(text: str, aliases: tuple[tuple[str, str], ...]) -> str:
    """*text* with each aliased folder (as written, e.g. a downloaded artifact's folder) replaced by
    the repository folder it holds."""
    for written, folder in aliases:
        if written in text:
            text = text.replace(written, anchored(folder))
    return text
