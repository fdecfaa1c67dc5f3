"""Pieces shared by the Bicep, ARM and Terraform readers: environment names, paths, the resource
types of Azure Verified Modules, literal values and short error texts."""

from __future__ import annotations

import posixpath
import re

from mlops_ladder.assessment.evidence.common import Expr

# Environment names as they appear in file and folder names, and the name each one stands for.
ENVIRONMENT_ALIASES = {
    "dev": "dev", "development": "dev",
    "test": "test", "tst": "test", "testing": "test",
    "qa": "qa",
    "uat": "uat",
    "staging": "staging", "stage": "staging", "stg": "staging",
    "preprod": "preprod", "pre-prod": "preprod",
    "prod": "prod", "prd": "prod", "production": "prod",
}
_TOKEN_SPLIT = re.compile(r"[^a-z0-9]+")


def environment_tokens(text: str) -> list[str]:
    """Environment names among the words of a file or folder name ("config-infra-prod" -> ["prod"])."""
    lowered = text.lower().replace("pre-prod", "preprod")
    return [ENVIRONMENT_ALIASES[t] for t in _TOKEN_SPLIT.split(lowered) if t in ENVIRONMENT_ALIASES]


def environment_of(path: str) -> str | None:
    """The environment a file is for, guessed from its name, then from its folders (nearest first).

    `infra/env/dev.bicepparam` -> dev, `main.prod.parameters.json` -> prod,
    `environments/test/terraform.tfvars` -> test, `main.parameters.json` -> None.
    """
    parts = path.split("/")
    name = parts[-1]
    stem = name.split(".", 1)[0] if not name.startswith(".") else name
    for candidate in (name, stem, *reversed(parts[:-1])):
        found = environment_tokens(candidate)
        if found:
            return found[0]
    return None


def join_repo_path(base_file: str, reference: str) -> str | None:
    """Repo-relative normalised path of *reference* written in *base_file* (None if it leaves the repo)."""
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(base_file), reference.replace("\\", "/")))
    if joined.startswith("../") or joined == ".." or joined.startswith("/"):
        return None
    return joined


_AVM_BICEP = re.compile(r"avm/res/([a-z0-9-]+)/([a-z0-9-]+)", re.IGNORECASE)
_AVM_TERRAFORM = re.compile(r"avm-res-([a-z0-9]+)-([a-z0-9]+)", re.IGNORECASE)


def avm_resource_type(source: str) -> str | None:
    """The ARM type an Azure Verified Module deploys, guessed from its name.

    `br/public:avm/res/machine-learning-services/workspace:0.9.0` and
    `Azure/avm-res-machinelearningservices-workspace/azurerm` both give
    "microsoft.machinelearningservices/workspaces". Pattern modules (avm/ptn) give None.
    """
    match = _AVM_BICEP.search(source) or _AVM_TERRAFORM.search(source)
    if not match:
        return None
    provider = match.group(1).replace("-", "").lower()
    kind = match.group(2).replace("-", "").lower()
    return f"microsoft.{provider}/{_plural(kind)}"


def _plural(word: str) -> str:
    if word.endswith("y") and not word.endswith(("ay", "ey", "oy")):
        return word[:-1] + "ies"
    return word if word.endswith("s") else word + "s"


def short_error(exc: BaseException) -> str:
    """One line describing a parser error, with its position when the parser gives one."""
    line = getattr(exc, "line", None)
    column = getattr(exc, "column", None)
    if isinstance(line, int) and line > 0:
        has_column = isinstance(column, int) and column > 0
        where = f"line {line}, column {column}: " if has_column else f"line {line}: "
        token = getattr(exc, "token", None)
        if token is not None:
            return f"{where}unexpected {str(token)[:40]!r}"
        char = getattr(exc, "char", None)
        if char is not None:
            return f"{where}unexpected character {char!r}"
        return where.rstrip(": ")
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


def is_literal(value: object) -> bool:
    """True when *value* holds no unresolved expression anywhere."""
    if isinstance(value, Expr):
        return False
    if isinstance(value, dict):
        return all(is_literal(v) for v in value.values())
    if isinstance(value, list):
        return all(is_literal(v) for v in value)
    return True


def shorten(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
