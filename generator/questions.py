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
CI_SYSTEMS = ("github", "azure-devops")
# The data pipeline layer: none, or Azure Data Factory (files of the level-2 layer; docs/data-pipeline.md).
DATA_PIPELINES = ("none", "adf")
DATA_PIPELINE_MIN_LEVEL = 2
# Options added after projects were generated: at their default they are left out of the answers files,
# so that a project that does not use them is byte for byte what it was before the option existed
# (a missing answer reads as the default).
OMITTED_AT_DEFAULT = {"data_pipeline": "none"}
IAC_TOOLS = ("bicep", "terraform")


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
    return _yaml_reads_as_text(value)


# Top-level modules the generated code and its tests import (templates/level-*/template) or that its
# tools load: a package of the same name would shadow them, and the project would not run.
IMPORTED_BY_GENERATED_CODE = frozenset(
    {"azure", "azureml", "ci_env", "joblib", "locust", "mlflow", "model_release", "numpy", "pandas",
     "pytest", "rollout_plan", "ruff", "scipy", "skops", "sklearn", "smoke_test", "yaml"}
)  # fmt: skip


def _package_name(value: Any) -> str | None:
    import keyword
    import sys

    if not isinstance(value, str) or not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", value):
        return "must be a lowercase Python identifier (letters, digits, underscores), up to 40 characters"
    if keyword.iskeyword(value):  # `import class` is a syntax error: the package could never be imported
        return "is a Python keyword: the package could not be imported; choose another name"
    if value in sys.stdlib_module_names or value in IMPORTED_BY_GENERATED_CODE:
        if value in sys.stdlib_module_names:
            return f"would shadow the standard library module {value!r}; choose another name"
        return f"would shadow {value!r}, which the generated code imports; choose another name"
    return _yaml_reads_as_text(value)


def _yaml_reads_as_text(value: str) -> str | None:
    """Names land unquoted in YAML files (`project: churn`, `model_name: churn`): YAML 1.1 reads
    yes/no/on/off/true/null and numbers as other types, which would change what the files mean."""
    import yaml

    try:
        parsed = yaml.safe_load(value)
    except yaml.YAMLError:
        return None
    if isinstance(parsed, str):
        return None
    kinds = {bool: "a boolean", int: "a number", float: "a number", type(None): "null"}
    return f"reads as {kinds.get(type(parsed), 'a date')}, not a name, in YAML files; choose another name"


def _description(value: Any) -> str | None:
    import unicodedata

    if not isinstance(value, str):
        return "must be text"
    if len(value) > 200:
        return f"is {len(value)} characters; keep it to one line of at most 200"
    for char in value:  # newlines, tabs, escapes, bidi controls: one line of visible text only
        if unicodedata.category(char)[0] == "C" or unicodedata.category(char) in ("Zl", "Zp"):
            return f"must be one line of printable text (it holds U+{ord(char):04X})"
    return None


def _environments(value: Any) -> str | None:
    if not isinstance(value, list) or not value:
        return "must be a non-empty list, for example [dev, test, prod]"
    for env in value:
        if not isinstance(env, str) or not re.fullmatch(r"[a-z][a-z0-9]{1,4}", env):
            return f"{env!r} is not valid: use 2-5 lowercase letters or digits (dev, test, prod, qa, uat)"
        if problem := _yaml_reads_as_text(env):
            return f"{env!r} {problem}"
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
    return _yaml_reads_as_text(value)


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
    Question(
        "description", "One-line description", "A machine learning model on Azure ML", validate=_description
    ),
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
    Question(
        "data_pipeline",
        "Data pipeline (Azure Data Factory: raw -> validated -> curated data)",
        "none",
        kind="choice",
        choices=DATA_PIPELINES,
        validate=_choice(DATA_PIPELINES),
    ),
    Question(
        "iac",
        "Infrastructure as code (Bicep or Terraform)",
        "bicep",
        kind="choice",
        choices=IAC_TOOLS,
        validate=_choice(IAC_TOOLS),
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
            raise BadInputError(
                f"--data {name}={value}: not a whole number", hint=f"for example --data {name}={q.default}"
            ) from None
    if q.kind == "list":
        text = value.strip().strip("[]")
        return [item.strip() for item in text.split(",") if item.strip()]
    return value


LEVEL_HINT = "choose the level with --level (new) or --to (upgrade)"


def check_given(given: Mapping[str, Any], source: str) -> dict[str, Any]:
    """Answers given in one place, each coerced and checked on its own, so that an error names where
    it came from: *source* is "--data" (values are the raw strings) or the answers file's path.
    Rules that need every answer (derived Azure names, two environments at level 3) are complete()'s."""
    import difflib

    checked: dict[str, Any] = {}
    for name, value in given.items():
        shown = _shown(value)
        where = f"--data {name}={shown}" if source == "--data" else f"{source}: {name}: {shown}"
        if name == "level":
            raise BadInputError(f"{where}: the level is not an answer", hint=LEVEL_HINT)
        if name not in QUESTION_NAMES:
            close = difflib.get_close_matches(name, QUESTION_NAMES, n=1)
            raise BadInputError(
                f"{where if source == '--data' else source}: unknown answer {name!r}"
                + (f" (did you mean {close[0]}?)" if close else ""),
                hint=f"known answers: {', '.join(n for n in QUESTION_NAMES if n != 'level')}",
            )
        q = question(name)
        if q.kind == "int":
            value = _whole_number(value)
            if value is None:
                raise BadInputError(f"{where}: not a whole number", hint=_fix_hint(source, name))
        elif q.kind in ("str", "choice") and not isinstance(value, str):
            raise BadInputError(  # YAML reads `python_version: 3.10` as the number 3.1
                f"{where}: must be text", hint=f'quote it in {source}: {name}: "{value}"'
            )
        value = coerce(name, value)
        problem = q.validate(value) if q.validate else None
        if problem:
            raise BadInputError(f"{where}: {problem}", hint=_fix_hint(source, name))
        checked[name] = value
    return checked


def _shown(value: Any) -> str:
    """A value as an error message shows it: one line, at most 60 characters."""
    text = repr(value) if not isinstance(value, str) else value
    text = text.encode("unicode_escape").decode("ascii") if not text.isprintable() else text
    return text if len(text) <= 60 else text[:57] + "..."


def _whole_number(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d{1,9}\s*", value):
        return int(value)
    return None


def _fix_hint(source: str, name: str) -> str:
    if source == "--data":
        return f"give another value with --data {name}=..."
    return f"fix `{name}` in {source}"


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
    derived = {"package_name", "model_name"} - {k for k, v in answers.items() if v is not None}
    try:
        validate(result)
    except BadInputError as exc:
        name = exc.message.split(" ", 1)[0]
        if name in derived:  # a default made from project_name: say so, and how to choose it
            raise BadInputError(
                exc.message.replace(
                    f"{name} {result[name]!r}",
                    f"{name} {result[name]!r} (derived from project_name {result['project_name']!r})",
                    1,
                ),
                hint=f"choose one with --data {name}=... (or in the answers file)",
            ) from None
        raise
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
    if answers["data_pipeline"] != "none" and answers["level"] < DATA_PIPELINE_MIN_LEVEL:
        raise BadInputError(
            f"data_pipeline {answers['data_pipeline']!r} needs level {DATA_PIPELINE_MIN_LEVEL} or higher: "
            f"the data pipeline feeds the training pipeline of level {DATA_PIPELINE_MIN_LEVEL}, and level "
            f"{answers['level']} has none",
            hint=f"choose --level {DATA_PIPELINE_MIN_LEVEL} or higher, or leave data_pipeline at none",
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
        if answers.get("data_pipeline") == "adf":
            names.append(("data factory", f"adf-{project}-{env}-{suffix}", 63))
    if answers.get("iac") == "terraform":  # one account holds the state of every environment
        names.append(("Terraform state storage account", f"st{compact}tf{suffix}", 24))
    return names
