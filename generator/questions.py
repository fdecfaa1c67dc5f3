"""The questions every template layer asks, their defaults, and the rules their answers must follow.

One definition serves the interactive prompts, `--defaults`, `--data key=value` and answers
files; every layer's copier.yml declares the same questions (tests/test_templates.py checks),
because values shared between layers must be real stored answers in each layer.
Answers are validated *before* anything is written: Azure's naming rules and length limits
are checked on the names the templates derive (see `derived_names`).
"""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mlops_ladder.errors import BadInputError

# Regions where Azure Machine Learning is available (az account list-locations, 2026).
AZURE_REGIONS = (
    "australiaeast",
    "australiasoutheast",
    "brazilsouth",
    "canadacentral",
    "canadaeast",
    "centralindia",
    "centralus",
    "eastasia",
    "eastus",
    "eastus2",
    "francecentral",
    "germanywestcentral",
    "italynorth",
    "japaneast",
    "japanwest",
    "koreacentral",
    "northcentralus",
    "northeurope",
    "norwayeast",
    "polandcentral",
    "qatarcentral",
    "southafricanorth",
    "southcentralus",
    "southeastasia",
    "southindia",
    "spaincentral",
    "swedencentral",
    "switzerlandnorth",
    "switzerlandwest",
    "uaenorth",
    "uksouth",
    "ukwest",
    "westcentralus",
    "westeurope",
    "westus",
    "westus2",
    "westus3",
)
DEPLOYMENT_KINDS = ("online", "batch")
CI_SYSTEMS = ("github",)


@dataclass(frozen=True)
class Question:
    name: str
    prompt: str
    default: Any
    kind: str = "str"  # str | int | list | choice
    choices: tuple[str, ...] = ()
    validate: Callable[[Any], str | None] | None = field(default=None, repr=False)  # -> problem or None
    ask: bool = True  # asked interactively (False: derived or set by the generator)


def _project_name(value: Any) -> str | None:
    if (
        not isinstance(value, str)
        or not re.fullmatch(r"[a-z][a-z0-9-]{1,14}[a-z0-9]", value)
        or "--" in value
    ):
        return (
            "must be 3-16 characters: lowercase letters, digits and single hyphens, "
            "starting with a letter and not ending with a hyphen"
        )
    return None


def _package_name(value: Any) -> str | None:
    if not isinstance(value, str) or not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", value):
        return "must be a lowercase Python identifier (letters, digits, underscores), up to 40 characters"
    return None


def _environments(value: Any) -> str | None:
    if not isinstance(value, list) or not value:
        return "must be a non-empty list, for example [dev, test, prod]"
    for env in value:
        if not isinstance(env, str) or not re.fullmatch(r"[a-z][a-z0-9]{1,4}", env):
            return f"{env!r} is not valid: use 2-5 lowercase letters or digits (dev, test, prod, qa, uat)"
    if len(set(value)) != len(value):
        return "lists an environment twice"
    return None


def _choice(options: tuple[str, ...]) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        return None if value in options else f"must be one of: {', '.join(options)}"

    return check


def _region(value: Any) -> str | None:
    if value in AZURE_REGIONS:
        return None
    import difflib

    close = difflib.get_close_matches(str(value).lower().replace(" ", ""), AZURE_REGIONS, n=1)
    return "is not an Azure region with Azure Machine Learning" + (
        f" (did you mean {close[0]}?)" if close else ""
    )


def _model_name(value: Any) -> str | None:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,254}", value):
        return "must start with a letter or digit and use letters, digits, '-', '_' or '.'"
    return None


def _vm_size(value: Any) -> str | None:
    return (
        None
        if isinstance(value, str) and re.fullmatch(r"Standard_[A-Za-z0-9_]+", value)
        else ("must be an Azure VM size such as Standard_DS3_v2")
    )


def _max_nodes(value: Any) -> str | None:
    return None if isinstance(value, int) and 1 <= value <= 100 else "must be a whole number from 1 to 100"


def _suffix(value: Any) -> str | None:
    return (
        None
        if isinstance(value, str) and re.fullmatch(r"[a-z0-9]{4}", value)
        else ("must be 4 lowercase letters or digits")
    )


def _python(value: Any) -> str | None:
    return None if value in ("3.10", "3.11", "3.12") else "must be 3.10, 3.11 or 3.12"


QUESTIONS: tuple[Question, ...] = (
    Question(
        "project_name", "Project name (used in Azure resource names)", "churn-model", validate=_project_name
    ),
    Question("package_name", "Python package name", None, validate=_package_name),
    Question("description", "One-line description", "A machine learning model on Azure ML"),
    Question("level", "Target maturity level", 1, kind="int", ask=False),
    Question(
        "azure_location", "Azure region", "westeurope", kind="choice", choices=AZURE_REGIONS, validate=_region
    ),
    Question(
        "environments",
        "Environments, in promotion order",
        ["dev", "test", "prod"],
        kind="list",
        validate=_environments,
    ),
    Question("name_suffix", "Suffix for globally unique names", None, validate=_suffix, ask=False),
    Question(
        "ci_system", "CI system", "github", kind="choice", choices=CI_SYSTEMS, validate=_choice(CI_SYSTEMS)
    ),
    Question(
        "deployment_kind",
        "Deployment kind",
        "online",
        kind="choice",
        choices=DEPLOYMENT_KINDS,
        validate=_choice(DEPLOYMENT_KINDS),
    ),
    Question("model_name", "Registered model name", None, validate=_model_name),
    Question("compute_size", "Training cluster VM size", "Standard_DS3_v2", validate=_vm_size),
    Question("compute_max_nodes", "Training cluster maximum nodes", 2, kind="int", validate=_max_nodes),
    Question(
        "python_version",
        "Python version",
        "3.11",
        kind="choice",
        choices=("3.10", "3.11", "3.12"),
        validate=_python,
    ),
)
QUESTION_NAMES = tuple(q.name for q in QUESTIONS)


def question(name: str) -> Question:
    return next(q for q in QUESTIONS if q.name == name)


def default_for(name: str, answers: Mapping[str, Any]) -> Any:
    """The default of one question, given the answers so far (some defaults derive from others)."""
    if name == "package_name":
        return str(answers.get("project_name", "churn-model")).replace("-", "_")
    if name == "model_name":
        return answers.get("project_name", "churn-model")
    if name == "name_suffix":
        return "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(4))
    return question(name).default


def coerce(name: str, value: Any) -> Any:
    """Turn a command-line string (`--data key=value`) into the question's type."""
    q = question(name)
    if not isinstance(value, str):
        return value
    if q.kind == "int":
        try:
            return int(value)
        except ValueError:
            raise BadInputError(f"--data {name}={value}: not a whole number") from None
    if q.kind == "list":
        text = value.strip().strip("[]")
        return [item.strip() for item in text.split(",") if item.strip()]
    return value


def complete(answers: Mapping[str, Any], level: int) -> dict[str, Any]:
    """All answers, defaults filled in question order, validated; BadInputError on the first problem."""
    unknown = sorted(set(answers) - set(QUESTION_NAMES))
    if unknown:
        raise BadInputError(
            f"unknown answer {unknown[0]!r}", hint=f"known answers: {', '.join(QUESTION_NAMES)}"
        )
    result: dict[str, Any] = {}
    for q in QUESTIONS:
        value = answers.get(q.name)
        result[q.name] = coerce(q.name, value) if value is not None else default_for(q.name, result)
    result["level"] = level
    validate(result)
    return result


def validate(answers: Mapping[str, Any]) -> None:
    for q in QUESTIONS:
        if q.validate is None:
            continue
        problem = q.validate(answers[q.name])
        if problem:
            raise BadInputError(
                f"{q.name} {answers[q.name]!r} {problem}", hint="fix it with --data or the answers file"
            )
    if answers["level"] >= 3 and len(answers["environments"]) < 2:
        raise BadInputError(
            f"level {answers['level']} promotes a model through environments, but only "
            f"{answers['environments']} is given",
            hint="give at least two environments, e.g. --data environments=dev,prod",
        )
    for kind, name, limit in derived_names(answers):
        if len(name) > limit:
            raise BadInputError(
                f"project_name {answers['project_name']!r} is too long: the {kind} name {name!r} would be "
                f"{len(name)} characters and Azure allows {limit}",
                hint="choose a shorter project name or shorter environment names",
            )


def derived_names(answers: Mapping[str, Any]) -> list[tuple[str, str, int]]:
    """(kind, name, max length) for every Azure name the templates derive, per environment."""
    project, suffix = answers["project_name"], answers["name_suffix"]
    compact = project.replace("-", "")
    names = []
    for env in answers["environments"]:
        names += [
            ("resource group", f"rg-{project}-{env}", 90),
            ("workspace", f"mlw-{project}-{env}", 33),
            ("storage account", f"st{compact}{env}{suffix}", 24),
            ("key vault", f"kv-{project}-{env}-{suffix}", 24),
            ("container registry", f"cr{compact}{env}{suffix}", 50),
            ("online endpoint", f"{project}-{env}-{suffix}", 32),
            ("batch endpoint", f"{project}-b-{env}-{suffix}", 32),
        ]
    return names
