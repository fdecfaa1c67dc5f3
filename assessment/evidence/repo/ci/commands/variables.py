"""Variables and paths in CI scripts.

Variables whose value is a literal are substituted; paths are resolved against the working
directory. Anything that cannot be resolved stays as written (it keeps its `$`), so a check
can tell "cannot resolve" from "wrong file".
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping

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
    r"|\$\{([A-Za-z_]\w*)\}"  # ${X}
    r"|\$\(([A-Za-z_][\w.-]*)\)"  # $(X): Azure DevOps macro
    r"|\$env:([A-Za-z_]\w*)"  # PowerShell
    r"|\$([A-Za-z_]\w*)"  # $X
)
_EXPRESSION_CONTEXTS = ("env.", "variables.")


def expand(text: str, env: Mapping[str, str]) -> str:
    """Substitute the variables of *text* whose value is known; leave the others as written."""
    if "$" not in text:
        return text

    def value(match: re.Match[str]) -> str:
        name = next(group for group in match.groups() if group)
        if match.group(1):
            lowered = name.lower()
            if lowered in _WORKSPACE_VARIABLES:
                return "."
            context = next((c for c in _EXPRESSION_CONTEXTS if lowered.startswith(c)), None)
            if context is None:
                return match.group(0)
            name = name[len(context) :]
        if name.lower() in _WORKSPACE_VARIABLES:
            return "."
        known = env.get(name)
        if known is None:
            known = env.get(name.upper().replace(".", "_"))
        return known if known is not None else match.group(0)

    return _VARIABLE.sub(value, text)


def is_unresolved(path: str) -> bool:
    """True when *path* still holds a variable or expression (it could not be resolved)."""
    return "$" in path or "{{" in path


def resolve_path(path: str, cwd: str = "") -> str:
    """*path* as a normalised repo path, relative to *cwd*; unresolvable paths stay as written."""
    text = path.strip().replace("\\", "/") if "\\" in path and "/" not in path else path.strip()
    if not text:
        return text
    if is_unresolved(text) or text.startswith("/") or "://" in text or re.match(r"^[A-Za-z]:/", text):
        return text
    if cwd and is_unresolved(cwd):
        return posixpath.join(cwd, text)  # visibly unresolved
    return posixpath.normpath(posixpath.join(cwd, text) if cwd else text)
