"""Which Python files about to be added would fail on import: they import a module of the user's
package that the repository does not have (never had, or the user deleted it) and that no other
added file provides. Used when adopting a repository (such files are not added) and when upgrading
a generated project (they are added, with a warning).
"""

from __future__ import annotations

from collections.abc import Mapping


def _module_of(path: str, package: str, package_dir: str) -> str | None:
    if not (path.startswith(package_dir + "/") and path.endswith(".py")):
        return None
    rel = path[len(package_dir) + 1 : -3].replace("/", ".")
    return package if rel == "__init__" else f"{package}.{rel.removesuffix('.__init__')}"


def unresolved_imports(
    candidates: Mapping[str, bytes], package: str, package_dir: str, existing: Mapping[str, frozenset[str]]
) -> dict[str, str]:
    """Candidate Python files that import a module of *package* that will not exist, with that module.

    *existing* maps the repository's module names to their top-level function names. Repeated until
    nothing changes: a module dropped because its imports do not resolve breaks the files that
    import it. This keeps an adoption from adding tests or modules that fail on import in the
    user's CI.
    """
    provided = set(existing) | {m for p in candidates if (m := _module_of(p, package, package_dir))}
    needs = {
        path: _required_modules(content, package, existing, _relative_anchor(path, package, package_dir))
        for path, content in candidates.items()
        if path.endswith(".py")
    }
    broken: dict[str, str] = {}
    changed = True
    while changed:
        changed = False
        for path, modules in needs.items():
            missing = sorted(modules - provided)
            if path not in broken and missing:
                broken[path] = f"imports {missing[0]}, which your package does not have"
                provided.discard(_module_of(path, package, package_dir) or "")
                changed = True
            folder = path.rpartition("/")[0]
            conftest = f"{folder}/conftest.py" if folder else "conftest.py"
            if path not in broken and conftest in broken:  # its fixtures come from that conftest
                broken[path] = f"uses the fixtures of {conftest}, which is not added"
                changed = True
    return broken


def _relative_anchor(path: str, package: str, package_dir: str) -> str | None:
    """The dotted name relative imports of *path* start from (a package's __init__ counts as inside it)."""
    module = _module_of(path, package, package_dir)
    return f"{module}.__init__" if module and path.endswith("__init__.py") else module


def _required_modules(
    content: bytes, package: str, existing: Mapping[str, frozenset[str]], module: str | None = None
) -> set[str]:
    """The modules of *package* that *content* needs: `import a.b`, `from a.b import c` need a.b;
    `from pkg import c` needs pkg.c too, unless the package's __init__ defines a function c."""
    import ast

    try:
        tree = ast.parse(content)
    except SyntaxError:
        return set()
    needed: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            needed.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.level == 0 or module):
            base = node.module or ""
            if node.level:  # relative to the importing module's package
                parent = module.split(".")[: -node.level] if module else []
                base = ".".join([*parent, *([base] if base else [])])
            if not base:
                continue
            needed.add(base)
            if base == package or (node.level and not node.module):
                defined = existing.get(base, frozenset())
                needed.update(f"{base}.{a.name}" for a in node.names if a.name not in defined)
    return {n for n in needed if n == package or n.startswith(package + ".")}


def missing_modules(
    candidates: Mapping[str, bytes], package: str, package_dir: str, existing: Mapping[str, frozenset[str]]
) -> dict[str, list[str]]:
    """Each candidate Python file that imports modules of *package* which neither the repository
    (*existing*, as in unresolved_imports) nor another candidate provides, with those modules.

    One pass, no cascade: every candidate is assumed to be added, so only the modules that are
    really absent are named (the user deleted them, or never had them)."""
    provided = set(existing) | {m for p in candidates if (m := _module_of(p, package, package_dir))}
    found: dict[str, list[str]] = {}
    for path, content in candidates.items():
        if path.endswith(".py"):
            anchor = _relative_anchor(path, package, package_dir)
            missing = sorted(_required_modules(content, package, existing, anchor) - provided)
            if missing:
                found[path] = missing
    return found
