"""Databricks data pipelines: bundle jobs and Lakeflow (DLT) pipelines that write the data training reads,
and code that reads a Delta table at a pinned version (databricks.py calls these for each bundle).

* A job task whose code (with the repository modules it imports) writes a table and neither trains nor
  scores with a registered model is a data pipeline: a Spark writer (`.write...saveAsTable(name)`,
  `.insertInto`, `.save(path)`, `writeStream...toTable`, `writeTo(name).createOrReplace()`), a Delta
  `DeltaTable...merge`, SQL that creates or fills a table (`CREATE OR REPLACE TABLE`, `INSERT INTO`,
  `MERGE INTO`, in `spark.sql("...")`, a `.sql` file or a `# MAGIC` cell) or a feature table
  (`FeatureEngineeringClient.create_table` / `write_table`). Its outputs are declared data sources.
* A `resources.pipelines` entry (a Lakeflow Declarative / DLT pipeline) with source code is one too; its
  tables are what its code declares (`@dlt.table`, `dlt.create_streaming_table`, `CREATE OR REFRESH
  STREAMING TABLE`).
* Delta keeps every version of a table, but a training run names the exact data only when it reads a
  version: `.option("versionAsOf", v)` / `timestampAsOf`, SQL `VERSION AS OF` / `TIMESTAMP AS OF`, or an
  MLflow dataset given one (`mlflow.data.load_delta(..., version=v)`, `from_spark(..., version=v)`). A
  job that does so versions its training data (DATA_VERSION). `mlflow.log_input` of a dataset without a
  version records a digest, not data that can be read again; feature tables are rewritten in place.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass

from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.files import RepoFiles
from mlops_ladder.assessment.evidence.repo.platforms.code import (
    SCORING_CALLS,
    calls_ending,
    closure,
    training_calls,
)
from mlops_ladder.assessment.evidence.repo.platforms.model import (
    FactKind,
    Platform,
    PlatformEvidence,
    PlatformFact,
)
from mlops_ladder.assessment.evidence.repo.python.model import Call, PythonEvidence, PythonModule

_WRITER_LAST = frozenset({"saveAsTable", "insertInto", "save", "toTable"})
_WRITER_V2_LAST = frozenset(
    {"create", "createOrReplace", "append", "overwrite", "overwritePartitions", "replace"}
)
_DECLARED_TABLES = (  # Lakeflow Declarative Pipelines (DLT) table definitions, old and new module names
    "dlt.table", "dlt.create_table", "dlt.create_streaming_table", "dlt.create_streaming_live_table",
    "dlt.materialized_view", "pyspark.pipelines.table", "pyspark.pipelines.materialized_view",
    "pyspark.pipelines.create_streaming_table",
)
_FEATURE_CLIENTS = ("databricks.feature_engineering", "databricks.feature_store")
_SQL_WRITE = re.compile(
    r"\b(CREATE\s+(?:OR\s+(?:REPLACE|REFRESH)\s+)?(?:STREAMING\s+|LIVE\s+)?(?:TABLE|MATERIALIZED\s+VIEW)"
    r"|INSERT\s+(?:INTO|OVERWRITE)|MERGE\s+INTO)\s+(?:TABLE\s+)?(?:IF\s+NOT\s+EXISTS\s+)?([\w.`${}:-]+)",
    re.I,
)
_SQL_PINNED = re.compile(r"\b(?:VERSION|TIMESTAMP)\s+AS\s+OF\b", re.I)
_PINNED_OPTIONS = frozenset({"versionasof", "timestampasof"})
_MLFLOW_DATASETS = ("mlflow.data.load_delta", "mlflow.data.from_spark")
# Task code that is not a Python module, read as text: SQL, Jupyter JSON, a .py notebook that did not parse
_TEXT_SUFFIXES = (".sql", ".ipynb", ".py")
P = Platform.DATABRICKS


@dataclass(frozen=True)
class DataUse:
    """One write of, or pinned read from, a table or storage path, in a repository file."""

    path: str
    line: int
    what: str  # "saveAsTable(main.sales.clean)", "SQL CREATE OR REPLACE TABLE x", ...

    def __str__(self) -> str:
        return f"{self.what} ({self.path}:{self.line})"


def _segments(call: Call) -> list[str]:
    return call.name.split(".")


def _target(call: Call) -> str:
    return call.string_args[0] if call.string_args else "a name set at run time"


def _writer(parts: list[str]) -> bool:
    """A DataFrame writer, not an ML model's `model.write().overwrite().save(path)`: `.save` counts after
    a format, mode, option or partitioning (the other terminal calls only exist on DataFrame writers)."""
    return parts[-1] != "save" or bool({"format", "mode", "option", "options", "partitionBy"} & set(parts))


def _module_writes(module: PythonModule) -> list[DataUse]:
    found: list[DataUse] = []
    delta_table = bool(module.calls_ending("DeltaTable.forName", "DeltaTable.forPath"))
    features = module.imports_any(*_FEATURE_CLIENTS)
    for call in module.calls:
        parts = _segments(call)
        last = parts[-1]
        if last in _WRITER_LAST and ("write" in parts or "writeStream" in parts) and _writer(parts):
            found.append(DataUse(module.path, call.line, f"{last}({_target(call)})"))
        elif last in _WRITER_V2_LAST and "writeTo" in parts[:-1]:
            found.append(DataUse(module.path, call.line, f"writeTo(...).{last}()"))
        elif last == "merge" and (delta_table or "DeltaTable" in parts):
            found.append(DataUse(module.path, call.line, "DeltaTable merge"))
        elif call.name in _DECLARED_TABLES:
            found.append(DataUse(module.path, call.line, f"@{call.name.replace('pyspark.pipelines', 'dp')}"))
        elif features and last in ("create_table", "write_table"):
            name = call.keyword("name") or _target(call)
            found.append(DataUse(module.path, call.line, f"feature table {last}({name})"))
        elif last == "sql":
            found.extend(DataUse(module.path, call.line, w) for w in _sql_writes(" ".join(call.string_args)))
    return found


def _module_pinned_reads(module: PythonModule) -> list[DataUse]:
    found: list[DataUse] = []
    for call in module.calls:
        parts = _segments(call)
        if parts[-1] in ("option", "options"):
            pinned = [a for a in (*call.string_args, *call.keywords) if a.lower() in _PINNED_OPTIONS]
            if pinned:
                found.append(DataUse(module.path, call.line, f'.{parts[-1]}("{pinned[0]}", ...)'))
        elif call.name in _MLFLOW_DATASETS and "version" in call.keywords:
            found.append(DataUse(module.path, call.line, f"{call.name}(..., version=...)"))
        elif parts[-1] == "sql" and any(_SQL_PINNED.search(a) for a in call.string_args):
            found.append(DataUse(module.path, call.line, "SQL ... VERSION/TIMESTAMP AS OF"))
    return found


def _sql_write(match: re.Match[str]) -> str:
    return f"SQL {' '.join(match.group(1).split()).upper()} {match.group(2)}"


def _sql_writes(text: str) -> list[str]:
    return [_sql_write(m) for m in _SQL_WRITE.finditer(text)]


def _text_uses(path: str, text: str, sql_only: bool) -> tuple[list[DataUse], list[DataUse]]:
    """(writes, pinned reads) in a SQL file, a notebook's JSON or a .py file read as text, or (*sql_only*)
    in the `# MAGIC` lines of a .py notebook. Statements may span lines; `--` comments are left out."""
    lines = text.splitlines()
    if sql_only:
        lines = [line.lstrip()[7:] if line.lstrip().startswith("# MAGIC") else "" for line in lines]
    if sql_only or path.endswith(".sql"):
        lines = [re.sub(r"--.*$", "", line) for line in lines]
    body = "\n".join(lines)

    def line_of(offset: int) -> int:
        return body.count("\n", 0, offset) + 1

    writes = [DataUse(path, line_of(m.start()), _sql_write(m)) for m in _SQL_WRITE.finditer(body)]
    as_of = "SQL ... VERSION/TIMESTAMP AS OF"
    pinned = [DataUse(path, line_of(m.start()), as_of) for m in _SQL_PINNED.finditer(body)]
    if not sql_only:
        pinned += [
            DataUse(path, line_of(m.start()), f"{m.group(0)} read option")
            for m in re.finditer(r"\b(?:versionAsOf|timestampAsOf)\b", body)
        ]
        writes += [
            DataUse(path, line_of(m.start()), f"{m.group(1)}(...)")
            for m in re.finditer(r"\.(saveAsTable|insertInto|toTable)\(", body)
        ]
    return writes, pinned


def data_uses(
    files: RepoFiles, modules: Iterable[PythonModule], code: Iterable[str]
) -> tuple[list[DataUse], list[DataUse]]:
    """(writes, pinned reads) of the Python *modules* a task runs and of its *code* files that are not
    Python modules (SQL files, .ipynb notebooks), and the `# MAGIC` SQL cells of .py notebooks."""
    writes: list[DataUse] = []
    pinned: list[DataUse] = []
    parsed = set()
    for module in modules:
        parsed.add(module.path)
        writes += _module_writes(module)
        pinned += _module_pinned_reads(module)
    for path in dict.fromkeys(code):
        python = path in parsed
        if not python and not path.endswith(_TEXT_SUFFIXES):
            continue
        text = files.read_text(path) or ""
        if python and "# MAGIC" not in text:
            continue
        more_writes, more_pinned = _text_uses(path, text, sql_only=python)
        writes += more_writes
        pinned += more_pinned
    return writes, pinned


def sql_task_file(files: RepoFiles, folder: str, task: dict) -> str | None:
    """The repository file of a `sql_task` (`file.path`), when it exists."""
    spec = task.get("sql_task")
    file = spec.get("file") if isinstance(spec, dict) else None
    target = file.get("path") if isinstance(file, dict) else None
    if isinstance(target, str) and "${" not in target and "://" not in target:
        path = posixpath.normpath(posixpath.join(folder, target))
        return path if files.exists(path) else None
    return None


def pipeline_code(files: RepoFiles, folder: str, pipeline: dict) -> list[str]:
    """The repository files of a `resources.pipelines` entry: `libraries` notebooks and files, and the
    files under its `libraries[].glob.include` / `root_path` globs."""
    found: list[str] = []
    libraries = pipeline.get("libraries")
    for library in libraries if isinstance(libraries, list) else []:
        if not isinstance(library, dict):
            continue
        for key in ("notebook", "file"):
            spec = library.get(key)
            target = spec.get("path") if isinstance(spec, dict) else None
            if isinstance(target, str) and "${" not in target:
                base = posixpath.normpath(posixpath.join(folder, target))
                found += [base + s for s in ("", ".py", ".sql", ".ipynb") if files.exists(base + s)][:1]
        glob = library.get("glob")
        include = glob.get("include") if isinstance(glob, dict) else None
        if isinstance(include, str) and "${" not in include:
            base = posixpath.normpath(posixpath.join(folder, include.rstrip("*").rstrip("/")))
            found += [f.path for f in files.under(base) if f.path.endswith((".py", ".sql"))]
    return list(dict.fromkeys(found))


def _listed(uses: list[DataUse], limit: int = 2) -> str:
    """The first use by what it is (the fact is located at it), the next ones with where they are."""
    shown = "; ".join([uses[0].what, *(str(u) for u in uses[1:limit])])
    return shown + (f" and {len(uses) - limit} more" if len(uses) > limit else "")


def task_facts(
    files: RepoFiles,
    python: PythonEvidence,
    path: str,
    key: str,
    task: dict,
    code: str | None,
    evidence: PlatformEvidence,
) -> bool:
    """The data facts of one task of bundle job *key* (defined in *path*) that runs *code*; True when the
    task is a data pipeline (it writes data and neither trains nor scores)."""
    folder = posixpath.dirname(path)
    task_code = [c for c in (code, sql_task_file(files, folder, task)) if c]
    if not task_code:
        return False
    modules = closure(python, task_code)
    if calls_ending(modules, *SCORING_CALLS) and not training_calls(modules):
        return False  # batch scoring: its output is predictions, not training data
    writes, pinned = data_uses(files, modules, [*task_code, *(m.path for m in modules)])
    name = f"job {key} task {task.get('task_key', '?')}"
    files_read = (path, *task_code)

    def fact(kind: FactKind, uses: list[DataUse], detail: str) -> PlatformFact:  # located at the first use
        return PlatformFact(P, kind, Location(uses[0].path, uses[0].line), detail, files_read)

    if pinned:
        detail = f"{name} reads a Delta table at a pinned version ({_listed(pinned)})"
        evidence.facts.append(fact(FactKind.DATA_VERSION, pinned, detail))
    if not writes or training_calls(modules):
        return False
    detail = f"{name} is a data pipeline: it writes {_listed(writes)}"
    evidence.facts.append(fact(FactKind.DATA_SOURCE, writes, detail))
    return True


def pipeline_facts(
    files: RepoFiles,
    python: PythonEvidence,
    path: str,
    key: str,
    pipeline: dict,
    line: int,
    evidence: PlatformEvidence,
) -> bool:
    """The data facts of `resources.pipelines.<key>` (in *path*, at *line*); True when its source code is
    in the repository (a Lakeflow Declarative / DLT pipeline is a data pipeline by what it is)."""
    code = pipeline_code(files, posixpath.dirname(path), pipeline)
    if not code:
        return False
    modules = closure(python, code)
    writes, _ = data_uses(files, modules, [*code, *(m.path for m in modules)])
    tables = f"declares {_listed(writes)}" if writes else f"runs {', '.join(code[:2])}"
    target = pipeline.get("catalog") or pipeline.get("target") or pipeline.get("schema")
    into = f" into {target}" if isinstance(target, str) else ""
    evidence.facts.append(
        PlatformFact(
            P,
            FactKind.DATA_SOURCE,
            Location(path, line),
            f"pipeline {key} (Lakeflow Declarative Pipelines / DLT) is a data pipeline{into}: it {tables}",
            (path, *code),
        )
    )
    return True
