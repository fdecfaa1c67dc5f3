"""Where a module's data comes from, when the code names it: a loader given a URL or cloud URI
(`pd.read_csv("https://...")`, `spark.read.load("s3://...")`), a database query, a dataset
library (`load_dataset("imdb")`, `torchvision.datasets.MNIST`), or an Azure ML data asset
or datastore (SDK v1 `Dataset.get_by_name`, `ws.datasets[...]`, `Datastore.get`, a dataset
built with `Dataset.Tabular.from_*` and `.register`ed; SDK v2 `ml_client.data.get`, `Input(path=
"azureml:...")`, `Data(...)` created with `ml_client.data.create_or_update`).

A relative path (`pd.read_csv("data/census.csv")`) names a file copied into the repository,
not a source: it is reported with the kind LOCAL_FILE, so that a check can say why it does not
count. A table reader or download given a variable, a parameter or an attribute
(`ray.data.read_csv(dataset_loc)`, `pd.read_csv(args.data)`) or an environment variable
(`os.getenv("DATASET_LOC")`, directly or through a variable) reads what its caller gives: it is
reported with the kind CALLER_GIVEN and the name (`dataset_loc`, `$DATASET_LOC`), a source only when
a script runs the module with a URI under that name (evidence/repo/python/run_arguments.py).

Only the calls whose last name segment can read data are looked at, so the cost is a set lookup
per call.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass

from mlops_ladder.assessment.evidence.repo.python.model import Call, DataSource

# A location outside the repository: web, object stores, data lakes, Azure ML datastores and assets.
_URI = re.compile(
    r"^(?:https?|s3[an]?|gs|gcs|wasbs?|abfss?|adl|az|hdfs|dbfs|oss)://|^azureml:", re.IGNORECASE
)
_DATA_FILE = re.compile(
    r"\.(?:csv|tsv|txt|data|json|jsonl|parquet|feather|orc|avro|xlsx?|arff|zip|gz|tgz|bz2|xz|tar|npz|h5)"
    r"(?:$|[?#])",
    re.IGNORECASE,
)
# Calls that read a table or files from the location they are given (pandas, polars, Spark, pyarrow,
# Azure ML SDK v1 dataset factories, mltable).
_READERS = frozenset(
    {
        "read_csv", "read_parquet", "read_json", "read_excel", "read_table", "read_feather", "read_orc",
        "read_fwf", "read_xml", "read_delta", "read_avro", "scan_csv", "scan_parquet", "scan_ndjson", "load",
        "csv", "parquet", "json", "orc", "text", "dataset", "from_delimited_files", "from_parquet_files",
        "from_json_lines_files", "from_files", "open",
    }
)
# Calls that download a file: any URL counts; `get` and `urlopen` only for a URL that names a data file.
_DOWNLOADS = frozenset({"urlretrieve", "download", "get_file", "download_url", "download_file"})
_FETCHES = frozenset({"get", "urlopen"})
_SQL_READERS = frozenset({"read_sql", "read_sql_query", "read_sql_table", "read_gbq", "read_database"})
# Dataset libraries: calls under these names load a named, published dataset.
_DATASET_LIBRARIES = (
    "torchvision.datasets.", "tensorflow_datasets.", "datasets.load_dataset", "openml.datasets.",
    "keras.datasets.", "tensorflow.keras.datasets.",
)
_SKLEARN_DATASETS = re.compile(r"^sklearn\.datasets\.(?:load|fetch)_")
_LIBRARY_PREFIXES = (*_DATASET_LIBRARIES, "sklearn.datasets.")
_KAGGLE = frozenset({"dataset_download_files", "competition_download_files"})
_AML_V1_READS = ("Dataset.get_by_name", "Dataset.get_by_id", "Datastore.get", "Datastore")
_AML_V1_FACTORIES = re.compile(r"\bDataset\.(?:Tabular\.|File\.)?from_")

LOCAL_FILE = "repository file"  # the kind of a relative path a loader reads: not a declared source
CALLER_GIVEN = "given by the caller"  # a loader reads a parameter or environment variable: detail = its name
# Keywords of table readers and downloads that take the location (pandas, polars, Spark, pyarrow, ray).
_LOCATION_KEYWORDS = frozenset({"filepath_or_buffer", "path", "paths", "source", "url", "uri", "io"})

_INTERESTING = (
    _READERS | _DOWNLOADS | _FETCHES | _SQL_READERS | _KAGGLE
    | {"get_by_name", "get_by_id", "Datastore", "get", "Input", "Data", "create_or_update", "register",
       "table", "sql", "query", "list_rows", "load_data"}
)


def data_sources(
    call_nodes: list[ast.Call],
    resolved: dict[int, Call],
    assignments: list[ast.Assign],
    dataset_subscripts: Iterable[int],
    imports: frozenset[str],
) -> tuple[DataSource, ...]:
    """The data sources a module names, in line order (see the module docstring)."""
    found: list[DataSource] = [DataSource(line, "registered dataset", "ws.datasets[...]")
                               for line in dataset_subscripts]
    candidates = []
    for node in call_nodes:
        call = resolved.get(id(node))
        if call is not None and (
            call.name.rpartition(".")[2] in _INTERESTING or call.name.startswith(_LIBRARY_PREFIXES)
        ):
            candidates.append((node, call))
    if not candidates:
        return tuple(sorted(found))
    constants = _string_constants(assignments)
    environment = _environment_names(assignments)
    names = {call.name for _, call in candidates}
    uses = _Uses(
        bigquery=_imports(imports, "google.cloud.bigquery"), boto3=_imports(imports, "boto3"),
        azureml=_imports(imports, "azureml"), sdk_v2=_imports(imports, "azure.ai.ml"),
        creates_v2=any(n.endswith("data.create_or_update") for n in names),
        registers_v1=any(n.endswith(".register") and not n.endswith("Model.register") for n in names),
    )
    for node, call in candidates:
        source = _source_of(node, call, constants, uses) or _caller_given(node, call, environment)
        if source is not None:
            found.append(DataSource(call.line, *source))
    return tuple(sorted(set(found)))


@dataclass(frozen=True)
class _Uses:
    """What else the module imports or calls, which decides what some calls read."""

    bigquery: bool
    boto3: bool
    azureml: bool  # SDK v1
    sdk_v2: bool  # azure-ai-ml
    creates_v2: bool  # ml_client.data.create_or_update
    registers_v1: bool  # dataset.register(...)


def _imports(imports: frozenset[str], root: str) -> bool:
    return any(i == root or i.startswith(root + ".") for i in imports)


def _source_of(node: ast.Call, call: Call, constants: dict[str, str], uses: _Uses) -> tuple[str, str] | None:
    """(kind, detail) of the source *call* names, or None."""
    name = call.name
    last = name.rpartition(".")[2]
    if name.startswith("azureml."):
        if any(name.endswith("." + s) for s in _AML_V1_READS):
            what = "datastore" if "Datastore" in name else "registered dataset"
            return what, f"{_short(name)}({_first(call)})"
        if _AML_V1_FACTORIES.search(name) and uses.registers_v1:
            return "data asset created", f"{_short(name)} registered with .register()"
    if (name.endswith(".datasets.get") and uses.azureml) or (name.endswith(".data.get") and uses.sdk_v2):
        return "registered dataset", f"{name}({_first(call)})"  # ws.datasets.get, ml_client.data.get
    if name.startswith("azure.ai.ml"):
        if last == "Input":
            uri = next((s for s in _argument_strings(node, constants) if _URI.match(s)), None)
            return ("job input", uri) if uri else None
        if last == "Data" and uses.creates_v2:
            return "data asset created", "Data(...) with ml_client.data.create_or_update"
    if last in _SQL_READERS:
        return "database query", name
    if uses.bigquery and last in ("query", "list_rows"):
        return "database query", f"BigQuery {name}"
    if name.startswith("spark.") and last in ("table", "sql") and call.string_args:
        return "database query", f"{name}({_first(call)})"
    if _SKLEARN_DATASETS.match(name) or name.startswith(_DATASET_LIBRARIES):
        return "dataset library", name
    if last == "load_data" and ".datasets." in name:
        return "dataset library", name
    if last in _KAGGLE:
        return "dataset library", f"Kaggle {name}"
    if uses.boto3 and last in ("download_file", "get_object", "download_fileobj") and call.string_args:
        return "object store", f"S3 {name}({_first(call)})"
    if last in _READERS | _DOWNLOADS | _FETCHES:
        texts = _argument_strings(node, constants)
        for text in texts:
            if not _URI.match(text):
                continue
            if last in _FETCHES and not _DATA_FILE.search(text):
                continue
            return "uri", text
        if _reads_table(last) and (local := next((t for t in texts if _is_local_data_file(t)), None)):
            return LOCAL_FILE, local
    return None


def _caller_given(node: ast.Call, call: Call, environment: dict[str, str]) -> tuple[str, str] | None:
    """(CALLER_GIVEN, name) when a table reader or a download reads the location its caller gives: a
    variable or parameter (`dataset_loc`), an attribute (`args.data` -> `data`), an environment variable
    (`$DATASET_LOC`)."""
    last = call.name.rpartition(".")[2]
    if not (_reads_table(last) or last in _DOWNLOADS):
        return None
    given = [*node.args[:1], *(k.value for k in node.keywords if k.arg in _LOCATION_KEYWORDS)]
    for argument in given:
        variable = _environment_read(argument)
        if variable is not None:
            return CALLER_GIVEN, f"${variable}"
        if isinstance(argument, ast.Name):
            name = argument.id
            return CALLER_GIVEN, f"${environment[name]}" if name in environment else name
        if isinstance(argument, ast.Attribute):
            return CALLER_GIVEN, argument.attr
    return None


def _environment_read(node: ast.expr) -> str | None:
    """The variable of `os.getenv("X")`, `getenv("X")`, `os.environ.get("X")` or `os.environ["X"]`."""
    if isinstance(node, ast.Subscript):
        target, key = node.value, node.slice
    elif isinstance(node, ast.Call) and node.args:
        function, key = node.func, node.args[0]
        if isinstance(function, ast.Name) and function.id == "getenv":
            target = None
        elif isinstance(function, ast.Attribute) and function.attr in ("getenv", "get"):
            target = function.value if function.attr == "get" else None
        else:
            return None
    else:
        return None
    if target is not None and not (isinstance(target, ast.Attribute) and target.attr == "environ"):
        return None
    return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None


def _environment_names(assignments: list[ast.Assign]) -> dict[str, str]:
    """Names assigned an environment variable's value (`data_url = os.getenv("DATA_URL")`)."""
    names = {}
    for assignment in assignments:
        variable = _environment_read(assignment.value)
        if variable is not None:
            for target in assignment.targets:
                if isinstance(target, ast.Name):
                    names[target.id] = variable
    return names


def is_uri(text: str) -> bool:
    """A location outside the repository: web, object stores, data lakes, Azure ML datastores."""
    return bool(_URI.match(text.strip()))


def _reads_table(last: str) -> bool:
    """pandas / polars / Spark table readers (`open` and `load` also write or read anything)."""
    return last.startswith(("read_", "scan_")) or last in ("csv", "parquet", "json", "orc", "text")


def _is_local_data_file(text: str) -> bool:
    """`data/census.csv`: a relative path to a data file (what the caller reads from the repository)."""
    return bool(_DATA_FILE.search(text)) and "://" not in text and not text.startswith(("/", "~", "{"))


def _argument_strings(node: ast.Call, constants: dict[str, str]) -> list[str]:
    """Literal strings an argument evaluates to: literals, f-strings' text, module constants named by
    the argument, and the defaults of `os.getenv("X", "https://...")`."""
    values = []
    for arg in [*node.args, *(k.value for k in node.keywords)]:
        if isinstance(arg, ast.Name) and arg.id in constants:
            values.append(constants[arg.id])
        elif isinstance(arg, ast.Call):  # os.getenv("DATA_URL", "https://...")
            values.extend(v for v in map(_literal, arg.args) if v is not None)
        elif isinstance(arg, ast.BinOp):  # "https://host/" + name
            values.append(_literal(arg.left))
        else:
            values.append(_literal(arg))
    return [v.strip() for v in values if v is not None]


def _literal(node: ast.expr) -> str | None:
    """A string literal's value, an f-string's text with `{}` for its expressions, else None."""
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    return None


def _string_constants(assignments: list[ast.Assign]) -> dict[str, str]:
    """Names assigned a literal string anywhere in the module (the last assignment wins)."""
    constants = {}
    for assignment in sorted(assignments, key=lambda a: a.lineno):
        value = assignment.value
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            for target in assignment.targets:
                if isinstance(target, ast.Name):
                    constants[target.id] = value.value
    return constants


def _first(call: Call) -> str:
    return repr(call.string_args[0]) if call.string_args else "..."


def _short(name: str) -> str:
    """`azureml.core.Dataset.get_by_name` -> `Dataset.get_by_name`."""
    parts = name.split(".")
    start = next((i for i, p in enumerate(parts) if p[:1].isupper()), len(parts) - 1)
    return ".".join(parts[start:])
