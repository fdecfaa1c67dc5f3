"""PythonEvidence / PythonModule lookups answer exactly what a scan of the modules answers."""

from __future__ import annotations

import gc

from hypothesis import given, settings
from hypothesis import strategies as st

from mlops_ladder.assessment.checks.code.modules import ModuleIndex
from mlops_ladder.assessment.evidence.repo.python.model import Call, PythonEvidence, PythonModule

# Short names over few letters, so that prefixes, suffixes and repeats are frequent.
segment = st.text(alphabet="abc_", min_size=0, max_size=3)
dotted = st.lists(segment, min_size=1, max_size=4).map(".".join)


def module(path: str, *, name: str = "m", is_test: bool = False, imports=(), calls=()) -> PythonModule:
    return PythonModule(
        path=path,
        module=name,
        is_test=is_test,
        imports=frozenset(imports),
        functions=frozenset(),
        calls=tuple(Call(call_name, line) for line, call_name in enumerate(calls, start=1)),
    )


modules_strategy = st.lists(
    st.tuples(st.booleans(), st.lists(dotted, max_size=5), st.lists(dotted, max_size=6), dotted),
    max_size=8,
).map(
    lambda specs: [
        module(f"m{i}.py", name=name, is_test=is_test, imports=imports, calls=calls)
        for i, (is_test, imports, calls, name) in enumerate(specs)
    ]
)


@settings(max_examples=300, deadline=None)
@given(imports=st.lists(dotted, max_size=6), roots=st.lists(dotted, min_size=1, max_size=4))
def test_imports_any_is_the_dotted_prefix_rule(imports: list[str], roots: list[str]) -> None:
    found = module("m.py", imports=imports)
    expected = any(i == r or i.startswith(r + ".") for i in imports for r in roots)
    assert found.imports_any(*roots) == expected


@settings(max_examples=300, deadline=None)
@given(
    modules=modules_strategy,
    suffixes=st.lists(dotted, min_size=1, max_size=4),
    include_tests=st.booleans(),
)
def test_calls_ending_is_a_scan_of_every_module(
    modules: list[PythonModule], suffixes: list[str], include_tests: bool
) -> None:
    evidence = PythonEvidence(modules=modules)
    expected = [
        (m, c) for m in modules if include_tests or not m.is_test
        for c in m.calls if any(c.endswith(s) for s in suffixes)
    ]
    found = evidence.calls_ending(*suffixes, include_tests=include_tests)
    assert [(id(m), id(c)) for m, c in found] == [(id(m), id(c)) for m, c in expected]


@settings(max_examples=200, deadline=None)
@given(modules=modules_strategy, name=dotted)
def test_name_lookups_are_scans_of_every_module(modules: list[PythonModule], name: str) -> None:
    evidence = PythonEvidence(modules=modules)
    # the oracle: how checks/code.py's ModuleIndex indexed module names before the shared lookup
    oracle: dict[str, list[PythonModule]] = {}
    for m in modules:
        parts = m.module.split(".") if m.module else []
        for start in range(len(parts)):
            oracle.setdefault(".".join(parts[start:]), []).append(m)
    assert list(evidence.modules_by_name_suffix().get(name, ())) == oracle.get(name, [])
    assert evidence.module_named(name) is {m.module: m for m in modules}.get(name)
    assert evidence.call_last_names() == {c.name.rpartition(".")[2] for m in modules for c in m.calls}


def test_module_at_finds_the_first_module_with_the_path() -> None:
    first, second = module("a.py", name="one"), module("a.py", name="two")
    assert PythonEvidence(modules=[first, second]).module_at("a.py") is first
    assert PythonEvidence(modules=[first]).module_at("b.py") is None


def test_lookups_follow_a_replaced_or_extended_module_list() -> None:
    evidence = PythonEvidence(modules=[module("a.py")])
    assert [m.path for m in evidence.code_modules] == ["a.py"]
    evidence.modules.append(module("tests/test_a.py", is_test=True))
    assert [m.path for m in evidence.test_modules] == ["tests/test_a.py"]
    evidence.modules = [module("b.py", calls=["mlflow.log_metric"])]
    assert evidence.module_at("a.py") is None
    assert [c.name for _, c in evidence.calls_ending("log_metric")] == ["mlflow.log_metric"]


def test_import_prefixes_follow_replaced_imports() -> None:
    found = module("m.py", imports=["sklearn.linear_model"])
    assert found.imports_any("sklearn")
    found.imports = frozenset({"torch"})
    assert not found.imports_any("sklearn")
    assert found.imports_any("torch")


def test_derived_values_are_computed_once_and_forgotten_with_the_modules() -> None:
    evidence = PythonEvidence(modules=[module("a.py")])
    builds: list[int] = []

    def build(python: PythonEvidence) -> int:
        builds.append(1)
        return len(python.modules)

    assert evidence.derived("count", build) == 1
    assert evidence.derived("count", build) == 1
    evidence.modules.append(module("b.py"))
    assert evidence.derived("count", build) == 2
    assert len(builds) == 2


def test_the_lookups_make_no_reference_cycle() -> None:
    """A cycle would keep every module alive until the cyclic collector runs (seconds of work
    at the end of a large assessment, where the collector is paused)."""
    gc.collect()
    evidence = PythonEvidence(modules=[module("a.py", imports=["numpy"], calls=["np.log"])])
    evidence.module_at("a.py")
    evidence.calls_ending("log")
    evidence.modules_by_name_suffix()
    evidence.modules[0].imports_any("numpy")
    evidence.derived("code.module_index", ModuleIndex).targets(evidence.modules[0])  # as the checks do
    del evidence
    assert gc.collect() == 0


def test_a_call_without_arguments_is_smaller_and_equal_to_any_call_with_its_parts() -> None:
    import pickle
    import sys

    from mlops_ladder.assessment.evidence.repo.python.model import make_call

    bare, with_keyword = Call("mlflow.start_run", 3), Call("m.fit", 4, frozenset({"X"}), ("a.csv",))
    assert sys.getsizeof(bare) < sys.getsizeof(with_keyword)  # two slots instead of five
    assert (bare.keywords, bare.string_args, bare.string_keywords) == (frozenset(), (), ())
    assert with_keyword.keyword("X") is None and with_keyword.string_args == ("a.csv",)
    assert bare == make_call("mlflow.start_run", 3) and hash(bare) == hash(make_call("mlflow.start_run", 3))
    assert with_keyword != Call("m.fit", 4) and with_keyword == Call("m.fit", 4, frozenset({"X"}), ("a.csv",))
    assert isinstance(with_keyword, Call) and bare != ("mlflow.start_run", 3)
    for call in (bare, with_keyword, Call("f", 1, string_keywords=(("path", "x.yml"),))):
        assert pickle.loads(pickle.dumps(call)) == call
        assert eval(repr(call), {"Call": Call, "frozenset": frozenset}) == call
    try:
        bare.name = "other"  # type: ignore[misc]
    except AttributeError:
        pass
    else:
        raise AssertionError("a Call must be immutable")
