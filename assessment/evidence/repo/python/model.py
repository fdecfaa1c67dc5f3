"""Facts about Python code and notebooks, read from the AST (filled by collect.py)."""

from __future__ import annotations

import sys
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any, TypeVar

from mlops_ladder.assessment.evidence.common import Location

T = TypeVar("T")


_NO_KEYWORDS: frozenset[str] = frozenset()


class Call:
    """A call in the code. `name` is resolved through imports where possible:
    `import mlflow as mf; mf.log_metric()` -> "mlflow.log_metric";
    `from mlflow import log_metric; log_metric()` -> "mlflow.log_metric";
    calls on local objects keep their attribute chain: "ml_client.jobs.create_or_update".
    Decorators are calls too (`@pipeline(...)` -> "azure.ai.ml.dsl.pipeline").

    Immutable; equal when all five parts are. A large repository has a million calls (a copy of
    site-packages: 1.09 million), most of them with no keywords and no literal arguments: such a
    call is this class, with two slots (name, line); a call with any is a _CallWithArguments,
    with three more. Call(...) gives the one that fits."""

    __slots__ = ("line", "name")
    name: str
    line: int
    keywords: frozenset[str] = _NO_KEYWORDS
    string_args: tuple[str, ...] = ()  # literal string arguments (file paths, model names...)
    # keyword -> literal string value, for the keywords given one (`script_name="train.py"`)
    string_keywords: tuple[tuple[str, str], ...] = ()

    def __new__(
        cls,
        name: str,
        line: int,
        keywords: frozenset[str] = _NO_KEYWORDS,
        string_args: tuple[str, ...] = (),
        string_keywords: tuple[tuple[str, str], ...] = (),
    ) -> Call:
        if keywords or string_args or string_keywords:
            call = object.__new__(_CallWithArguments)
            _set(call, "keywords", keywords)
            _set(call, "string_args", string_args)
            _set(call, "string_keywords", string_keywords)
        else:
            call = object.__new__(Call)
        _set(call, "name", name)
        _set(call, "line", line)
        return call

    def _parts(self) -> tuple[str, int, frozenset[str], tuple[str, ...], tuple[tuple[str, str], ...]]:
        return (self.name, self.line, self.keywords, self.string_args, self.string_keywords)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Call) and self._parts() == other._parts()

    def __hash__(self) -> int:
        return hash(self._parts())

    def __repr__(self) -> str:
        return (
            f"Call(name={self.name!r}, line={self.line!r}, keywords={self.keywords!r}, "
            f"string_args={self.string_args!r}, string_keywords={self.string_keywords!r})"
        )

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a Call is immutable: cannot set {name}")

    __delattr__ = __setattr__  # type: ignore[assignment]

    def keyword(self, name: str) -> str | None:
        """The literal string given to keyword *name*, or None (not given, or not a literal string)."""
        return next((value for key, value in self.string_keywords if key == name), None)

    def endswith(self, suffix: str) -> bool:
        return self.name == suffix or self.name.endswith("." + suffix)

    def __reduce__(self) -> tuple[Callable[..., Call], tuple[object, ...]]:
        # A parse worker's calls are rebuilt with make_call: sharing their parts with this process's.
        return make_call, self._parts()


class _CallWithArguments(Call):
    """A Call with keywords or literal arguments (built by Call(...))."""

    __slots__ = ("keywords", "string_args", "string_keywords")


_set = object.__setattr__


# A large repository has a million calls (a copy of site-packages: 1.06 million) but few distinct
# names, line numbers, keyword sets and literal arguments: make_call() gives each call the shared
# copy of each part instead of its own (most calls have no keywords at all: one empty frozenset).
# sys.intern keeps a string only while something refers to it.
_intern = sys.intern
NO_KEYWORDS = _NO_KEYWORDS
_KEYWORD_SETS: dict[frozenset[str], frozenset[str]] = {}
_LINES: dict[int, int] = {}


def forget_shared_parts() -> None:
    """Drop the tables make_call shares parts through (a parse worker, once it has sent a chunk's
    calls: they are shared again where they are rebuilt, and the line numbers and keyword sets kept
    here for nothing would hold on to the memory the chunk's syntax trees were in)."""
    _KEYWORD_SETS.clear()
    _LINES.clear()


def make_call(
    name: str,
    line: int,
    keywords: frozenset[str] = NO_KEYWORDS,
    string_args: tuple[str, ...] = (),
    string_keywords: tuple[tuple[str, str], ...] = (),
) -> Call:
    """Call(...) with its parts shared with the other calls' equal parts (saves memory, not time)."""
    if keywords:
        keywords = _KEYWORD_SETS.setdefault(keywords, keywords)
    else:
        keywords = NO_KEYWORDS
    if string_args:
        string_args = tuple([_intern(arg) for arg in string_args])
    if string_keywords:
        string_keywords = tuple([(_intern(key), _intern(value)) for key, value in string_keywords])
    return Call(_intern(name), _LINES.setdefault(line, line), keywords, string_args, string_keywords)


@dataclass(frozen=True, order=True)
class DataSource:
    """A data source the code names (data_sources.py): a URL or cloud URI a loader reads, a database
    query, a dataset library, an Azure ML data asset or datastore."""

    line: int
    kind: str  # "uri", "database query", "dataset library", "registered dataset", "datastore", ...
    detail: str  # what it names: the URI, `Dataset.get_by_name('credit')`, ...


@dataclass(frozen=True)
class EvaluationGate:
    """Code that compares a candidate model with the current one and blocks a worse candidate."""

    location: Location
    detail: str


@dataclass
class PythonModule:
    path: str
    module: str  # dotted import name guessed from the path (src/pkg/train.py -> "pkg.train")
    is_test: bool
    imports: frozenset[str]  # fully qualified imported names ("mlflow", "pkg.features", "pkg.features.build")
    functions: frozenset[str]  # top-level function names
    calls: tuple[Call, ...]
    gates: tuple[EvaluationGate, ...] = ()
    seeds: tuple[Location, ...] = ()  # places that set a random seed
    # Comparisons with the current model that look like a gate but do not block (a constant flag
    # overrides them, the blocking branch cannot run, nothing reads the flag); detail says why.
    gate_candidates: tuple[EvaluationGate, ...] = ()
    file_refs: frozenset[str] = frozenset()  # string literals naming a .py file (scripts loaded by path)
    data_sources: tuple[DataSource, ...] = ()  # data sources the code names (URLs, data assets, queries)
    # (imports, every dotted prefix of them), built on the first imports_any() and rebuilt when
    # `imports` is replaced: checks ask the same module about many roots.
    _import_prefixes: tuple[frozenset[str], frozenset[str]] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    # (calls, their positions by the last dotted segment of the name), built on the first
    # calls_ending() and rebuilt when `calls` is replaced: checks ask each module about many names.
    _calls_by_last: tuple[tuple[Call, ...], dict[str, list[int]]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def calls_ending(self, *suffixes: str) -> list[Call]:
        """The calls whose name ends with one of *suffixes* (Call.endswith), in call order."""
        cached = self._calls_by_last
        if cached is None or cached[0] is not self.calls:
            by_last: dict[str, list[int]] = {}
            for position, call in enumerate(self.calls):
                by_last.setdefault(call.name.rpartition(".")[2], []).append(position)
            cached = self._calls_by_last = (self.calls, by_last)
        calls, by_last = cached
        # a name that ends with a suffix has the suffix's last dotted segment as its own
        positions = {
            position
            for suffix in suffixes
            for position in by_last.get(suffix.rpartition(".")[2], ())
            if calls[position].endswith(suffix)
        }
        return [calls[position] for position in sorted(positions)]

    def imports_any(self, *roots: str) -> bool:
        """Whether an import is one of *roots* or inside it (`sklearn` covers `sklearn.linear_model`)."""
        prefixes = self.import_prefixes
        return any(r in prefixes for r in roots)

    @property
    def import_prefixes(self) -> frozenset[str]:
        """Every import and each of its dotted prefixes ("a.b.c" -> "a", "a.b", "a.b.c"): a root is
        imported when it is in this set (i == r or i.startswith(r + "."))."""
        cached = self._import_prefixes
        if cached is None or cached[0] is not self.imports:
            cached = (self.imports, frozenset(_dotted_prefixes(self.imports)))
            self._import_prefixes = cached
        return cached[1]


def _dotted_prefixes(names: Iterable[str]) -> Iterator[str]:
    for name in names:
        yield name
        dot = name.find(".")
        while dot != -1:
            yield name[:dot]
            dot = name.find(".", dot + 1)


@dataclass
class Notebook:
    path: str
    code_cells: int
    imports: frozenset[str] = frozenset()


@dataclass
class PythonEvidence:
    """The modules and notebooks of a repository, with lookups that checks share.

    The lookups are built on first use and rebuilt when `modules` is replaced or changes length;
    they assume a module's path, name, test flag, imports and calls do not change once a check
    has asked (collection fills the evidence before any check runs)."""

    modules: list[PythonModule] = field(default_factory=list)
    notebooks: list[Notebook] = field(default_factory=list)
    _lookups: _ModuleLookups | None = field(default=None, init=False, repr=False, compare=False)

    def module_at(self, path: str) -> PythonModule | None:
        return self._index().by_path.get(path)

    @property
    def code_modules(self) -> list[PythonModule]:
        return list(self._index().code)

    @property
    def test_modules(self) -> list[PythonModule]:
        return list(self._index().tests)

    def calls_ending(self, *suffixes: str, include_tests: bool = True) -> list[tuple[PythonModule, Call]]:
        """(module, call) for every call whose name ends with one of *suffixes* (as Call.endswith),
        in module order and then call order, each call once; test modules only with *include_tests*."""
        index = self._index()
        (by_last, starts), modules = index.call_index, index.modules
        found: dict[int, tuple[PythonModule, Call]] = {}
        for suffix in suffixes:
            # a name that ends with the suffix has the suffix's last dotted segment as its own
            for order in by_last.get(suffix.rpartition(".")[2], ()):
                if order in found:
                    continue
                position = bisect_right(starts, order) - 1
                module = modules[position]
                call = module.calls[order - starts[position]]
                if (include_tests or not module.is_test) and call.endswith(suffix):
                    found[order] = (module, call)
        return [found[order] for order in sorted(found)]

    def modules_by_name_suffix(self) -> Mapping[str, tuple[PythonModule, ...]]:
        """Every dotted suffix of a module's guessed name ("pkg.features", "features") -> the modules
        whose name it is or ends, in order."""
        return MappingProxyType(self._index().by_name_suffix)

    def call_last_names(self) -> frozenset[str]:
        """The last dotted segment of every call's name ("log_metric" of "mlflow.log_metric")."""
        return frozenset(self._index().call_index[0])

    def module_named(self, name: str) -> PythonModule | None:
        """The module whose guessed dotted name is exactly *name* (the last one when several are)."""
        return self._index().by_module_name.get(name)

    def derived(self, key: str, build: Callable[[PythonEvidence], T]) -> T:
        """What *build* computes from this evidence, computed once per *key* and shared by the checks
        that ask for it (so they must not change it); forgotten with the other lookups. The value
        must not refer back to this evidence: the reference cycle would keep every module alive
        until the cyclic garbage collector runs."""
        cache = self._index().derived
        if key not in cache:
            cache[key] = build(self)
        return cache[key]

    def _index(self) -> _ModuleLookups:
        lookups = self._lookups
        if lookups is None or lookups.modules is not self.modules or lookups.count != len(self.modules):
            lookups = self._lookups = _ModuleLookups(self.modules)
        return lookups


class _ModuleLookups:
    """Dictionaries over the modules, each built the first time a check needs it."""

    def __init__(self, modules: list[PythonModule]) -> None:
        self.modules = modules
        self.count = len(modules)
        self.derived: dict[str, Any] = {}

    @cached_property
    def by_path(self) -> dict[str, PythonModule]:
        by_path: dict[str, PythonModule] = {}
        for module in self.modules:
            by_path.setdefault(module.path, module)  # the first one, as a scan would find
        return by_path

    @cached_property
    def code(self) -> list[PythonModule]:
        return [m for m in self.modules if not m.is_test]

    @cached_property
    def tests(self) -> list[PythonModule]:
        return [m for m in self.modules if m.is_test]

    @cached_property
    def call_index(self) -> tuple[dict[str, array[int]], array[int]]:
        """Last dotted segment of a call's name -> the positions of its calls over all calls, in
        order; and the position of each module's first call. Positions in arrays, not a tuple per
        call: a large repository has a million calls (a copy of site-packages: 120 MiB of tuples)."""
        by_last: dict[str, array[int]] = {}
        starts = array("I")
        order = 0
        for module in self.modules:
            starts.append(order)
            for call in module.calls:
                last = call.name.rpartition(".")[2]
                bucket = by_last.get(last)
                if bucket is None:
                    bucket = by_last[last] = array("I")
                bucket.append(order)
                order += 1
        return by_last, starts

    @cached_property
    def by_module_name(self) -> dict[str, PythonModule]:
        return {module.module: module for module in self.modules}

    @cached_property
    def by_name_suffix(self) -> dict[str, tuple[PythonModule, ...]]:
        """Each dotted suffix of a module's guessed name ("pkg.features", "features") -> the modules."""
        by_name: dict[str, list[PythonModule]] = {}
        for module in self.modules:
            parts = module.module.split(".") if module.module else []
            for start in range(len(parts)):
                by_name.setdefault(".".join(parts[start:]), []).append(module)
        return {name: tuple(modules) for name, modules in by_name.items()}
