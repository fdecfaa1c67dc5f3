"""CI actions as the CI reader stores them: each script reading once, referenced by the steps that run it.

A CiAction is one thing a step does (model.py re-exports it; checks import it from there). Most of
what a CiAction says comes from one of two places: the step that runs it (its pipeline, job,
triggers, environment, condition...: a StepRun) and the command that does it (its kind, command
line, files and options: an ActionContent). CI steps of many workflows run the same scripts
(azureml-examples: about 350 steps run one bootstrap script whose reading finds 1,800 commands),
so the reader finds the same contents again and again. CiEvidence therefore holds ActionGroups:
one StepRun and a *shared* tuple of contents (the reading of a script, made once per distinct
start by the ScriptReader) with the line they point at. Memory and the work of a check that asks a
question about the commands themselves (`CiEvidence.select`, `of_kind`) scale with the distinct
readings, not with steps x script size; the CiActions themselves are built on demand, only for the
actions a check looks at, equal (field by field) to what a copy per step would have held.

`Actions` is the sequence of CiActions of the evidence, or a selection of them: it has a length,
indexes, iterates (building each CiAction when it is reached) and concatenates into a list.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mlops_ladder.assessment.evidence.common import Location

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind, Trigger


@dataclass(frozen=True)
class CiAction:
    kind: ActionKind
    location: Location  # file:line of the step
    pipeline: str  # repo path of the CI file that defines the step
    job: str
    step: str  # the step's name, or its command shortened
    command: str = ""  # the command line (or action reference), shortened to one line
    files: tuple[str, ...] = ()  # repo-relative normalised paths the command targets
    # parsed CLI options, e.g. {"--stream": "", "--set": "model=..."}
    options: Mapping[str, str] = field(default_factory=dict)
    triggers: frozenset[Trigger] = frozenset()  # effective triggers, through reusable workflows/templates
    environment: str | None = None  # the job's deployment environment (approval gates)
    condition: str | None = None  # step or job condition, e.g. "failure()"
    continue_on_error: bool = False
    index: int = 0  # position of the step in its job (order of actions within a job)
    job_needs: tuple[str, ...] = ()  # jobs this job waits for
    # Added by the CI reader (optional):
    root_pipeline: str = ""  # the pipeline file whose run executes the step (differs from `pipeline` for
    #                          reusable workflows and templates); job ids and job_needs are scoped to it
    possible_triggers: frozenset[Trigger] = frozenset()  # may also run under these, the YAML cannot tell
    #   (Azure DevOps without `pr:`: PR builds come from GitHub defaults or Azure Repos branch policies;
    #    GitLab branch pipelines, which run on merge request branches too)
    working_directory: str = ""  # repo-relative folder the command ran in ("" = repository root)
    # The environments the job's environment may name, chosen by branch or parameter (an Azure DevOps
    # variable set differently in `${{ if }}` branches, a choice input); () when it names one.
    environment_choices: tuple[str, ...] = ()
    config_files: tuple[
        str, ...
    ] = ()  # per-environment variable files the job reads (ADO variable templates)
    # What the action acts on when that is not a file of this repository, as a known remote template
    # or action says: "training-pipeline" (a training pipeline it builds from this repo's code),
    # "monitor", "registered-model" (a deployment of a registered model, configured by `files`).
    target_kind: str = ""


AFTER_FAILURE = "|| (runs when the command before it fails)"  # the condition of `a || b`'s b


@dataclass(frozen=True, slots=True)
class ActionContent:
    """What one command does, whichever step runs it. `line`: where it is written, relative to its
    group (ActionGroup.line_of); `cwd`: the folder it runs in, None for the step's own."""

    kind: ActionKind
    command: str
    line: int = 0
    files: tuple[str, ...] = ()
    options: Mapping[str, str] = field(default_factory=dict)
    masked: bool = False  # its failure is ignored (`|| true`, `--exit-zero`)
    after_failure: bool = False  # it runs only when the command before it failed: `a || b`
    cwd: str | None = None
    target_kind: str = ""


@dataclass(frozen=True, slots=True)
class StepRun:
    """What a step contributes to each of its actions: where it is and how its job runs."""

    pipeline: str
    job: str
    step: str
    line: int  # the step's line (an action whose own line is unknown points at it)
    root_pipeline: str
    triggers: frozenset[Trigger]
    possible_triggers: frozenset[Trigger]
    environment: str | None
    condition: str | None  # the step's condition, else its job's
    continue_on_error: bool  # the step's or its job's
    job_needs: tuple[str, ...]
    working_directory: str
    environment_choices: tuple[str, ...]
    config_files: tuple[str, ...]


class ActionGroup:
    """The actions a step gets from one reading: *contents* (shared with every other step that runs the
    same reading), numbered from *first_index* in the step's job. A content's line is *line* when
    *fixed* (every command of a script file points at the step or the calling line), else *line*
    plus its own line (the commands of a `run:` block, from the block's first line)."""

    __slots__ = ("contents", "first_index", "fixed", "line", "run")

    def __init__(
        self, run: StepRun, contents: Sequence[ActionContent], *, line: int, fixed: bool, first_index: int
    ) -> None:
        self.run = run
        self.contents = contents
        self.line = line
        self.fixed = fixed
        self.first_index = first_index

    def __len__(self) -> int:
        return len(self.contents)

    def line_of(self, content: ActionContent) -> int:
        return (self.line if self.fixed else self.line + content.line) or self.run.line

    def action(self, offset: int) -> CiAction:
        """The CiAction of the content at *offset*: equal to a copy made for this step."""
        content, run = self.contents[offset], self.run
        return CiAction(
            kind=content.kind,
            location=Location(run.pipeline, self.line_of(content)),
            pipeline=run.pipeline,
            job=run.job,
            step=run.step,
            command=content.command,
            files=content.files,
            options=content.options,
            triggers=run.triggers,
            environment=run.environment,
            condition=AFTER_FAILURE if content.after_failure else run.condition,
            continue_on_error=run.continue_on_error or content.masked,
            index=self.first_index + offset,
            job_needs=run.job_needs,
            root_pipeline=run.root_pipeline,
            possible_triggers=run.possible_triggers,
            working_directory=run.working_directory if content.cwd is None else content.cwd,
            environment_choices=run.environment_choices,
            config_files=run.config_files,
            target_kind=content.target_kind,
        )


class _Given:
    """A CiAction given whole (built by hand, or by a test): a group of one, returned as it is."""

    __slots__ = ("contents", "given")

    def __init__(self, action: CiAction) -> None:
        self.given = action
        self.contents = (action,)  # a CiAction has the content fields selections look at

    def __len__(self) -> int:
        return 1

    def action(self, offset: int) -> CiAction:
        return self.given


Group = ActionGroup | _Given
Selection = Callable[[Any], bool]  # a question about an ActionContent (or a given CiAction) alone
# A reading's contents, with the offsets of each kind among them (kept with it: ids stay their own)
_KindIndex = tuple[Sequence[ActionContent], dict["ActionKind", tuple[int, ...]]]


class Actions(Sequence[CiAction]):
    """CiActions in order: parts of groups (a group, offsets of its contents), each built when reached."""

    __slots__ = ("_kinds", "_length", "_parts", "_starts")

    def __init__(self, actions: Iterable[CiAction] = ()) -> None:
        self._parts: list[tuple[Group, Sequence[int]]] = []
        self._starts: list[int] = []
        self._length = 0
        self._kinds: dict[int, _KindIndex] | None = None  # of_kinds(): made when first asked
        for action in actions:
            self.append(action)

    # -- building ----------------------------------------------------------------------------------

    def append(self, action: CiAction) -> None:
        self._add(_Given(action), (0,))

    def add_group(self, group: ActionGroup) -> None:
        if len(group):
            self._add(group, range(len(group)))

    def _add(self, group: Group, offsets: Sequence[int]) -> None:
        self._parts.append((group, offsets))
        self._starts.append(self._length)
        self._length += len(offsets)

    def groups(self) -> list[Group]:
        return [group for group, _ in self._parts]

    def copy(self) -> Actions:
        """The same actions in a sequence of its own (appending to it leaves this one as it is)."""
        copied = Actions()
        copied._parts, copied._starts, copied._length = list(self._parts), list(self._starts), self._length
        return copied

    # -- selections --------------------------------------------------------------------------------

    def select(self, wanted: Selection) -> Actions:
        """The actions whose content *wanted* accepts, in order. *wanted* sees only what the command does
        (kind, command, files, options, target_kind), so it is asked once per distinct reading."""
        answers: dict[int, tuple[Sequence[ActionContent], tuple[int, ...]]] = {}

        def accepted(contents: Sequence[ActionContent]) -> tuple[int, ...]:
            known = answers.get(id(contents))
            if known is None:  # keeps *contents* alive with its answer, so the id stays its own
                chosen = tuple(i for i, content in enumerate(contents) if wanted(content))
                known = answers[id(contents)] = (contents, chosen)
            return known[1]

        return self._selected(accepted)

    def of_kinds(self, kinds: frozenset[ActionKind]) -> Actions:
        """The actions of *kinds*: select() by kind, from an index of each distinct reading's kinds made
        once for all the questions (checks ask by kind hundreds of times)."""
        if self._kinds is None:
            self._kinds = {}
        index = self._kinds

        def accepted(contents: Sequence[ActionContent]) -> tuple[int, ...]:
            known = index.get(id(contents))
            if known is None:  # keeps *contents* alive with its index, so the id stays its own
                by_kind: dict[ActionKind, list[int]] = {}
                for offset, content in enumerate(contents):
                    by_kind.setdefault(content.kind, []).append(offset)
                known = index[id(contents)] = (contents, {k: tuple(v) for k, v in by_kind.items()})
            found = [known[1][kind] for kind in kinds if kind in known[1]]
            return found[0] if len(found) == 1 else tuple(sorted(itertools.chain.from_iterable(found)))

        return self._selected(accepted)

    def _selected(self, accepted: Callable[[Sequence[ActionContent]], tuple[int, ...]]) -> Actions:
        selected = Actions()
        for group, offsets in self._parts:
            chosen = accepted(group.contents)
            if chosen and not isinstance(offsets, range):  # a selection of the group already
                within = set(offsets)
                chosen = tuple(i for i in chosen if i in within)
            if chosen:
                selected._add(group, chosen)
        return selected

    def runs(self) -> Iterator[tuple[Group, Actions]]:
        """Each group with its selected actions (a check that compares steps asks once per group)."""
        for group, offsets in self._parts:
            part = Actions()
            part._add(group, offsets)
            yield group, part

    # -- the sequence ------------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[CiAction]:
        for group, offsets in self._parts:
            for offset in offsets:
                yield group.action(offset)

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return list(itertools.islice(self, *index.indices(self._length)))
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError("action index out of range")
        part = bisect.bisect_right(self._starts, index) - 1
        group, offsets = self._parts[part]
        return group.action(offsets[index - self._starts[part]])

    def __add__(self, other: object) -> list[CiAction]:
        if not isinstance(other, (list, tuple, Actions)):
            return NotImplemented
        return [*self, *other]

    def __radd__(self, other: object) -> list[CiAction]:
        if not isinstance(other, (list, tuple)):
            return NotImplemented
        return [*other, *self]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Actions, list, tuple)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # a mutable sequence, like a list

    def __repr__(self) -> str:
        return f"Actions({list(self)!r})" if self._length <= 20 else f"Actions(<{self._length} actions>)"
