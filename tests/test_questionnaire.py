"""The questionnaire: what is asked, how answers are kept, questionary driven without a terminal, and
`assess --interactive` through a real terminal (pexpect driving the installed command)."""

from __future__ import annotations

import json
import shutil
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from mlops_ladder.assessment.api import assess
from mlops_ladder.assessment.evidence.answers_file import load_answers
from mlops_ladder.assessment.evidence.answers_model import ANSWER_MAX_AGE_DAYS, AnswersEvidence
from mlops_ladder.assessment.questionnaire import SKIP, STOP, questions_to_ask, run_questionnaire
from mlops_ladder.cli.main import run
from mlops_ladder.levels import load_model
from mlops_ladder.levels.questions import check_questions, question_for
from tests.conftest import git

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "credit-risk"
MODEL = load_model()
PEOPLE = [c.id for c in MODEL.criteria if c.dimension == "people-process" and c.sources == ("answers",)]


@pytest.fixture(scope="module")
def example_report():
    return assess(EXAMPLE)


class Scripted:
    """An Asker that replays replies and records what it was asked."""

    def __init__(self, *replies: str, who: str | None = "Jane <jane@x.invalid>") -> None:
        self.replies = list(replies)
        self.asked: list[str] = []
        self._who = who

    def who(self, default: str) -> str | None:
        return self._who

    def ask(self, question, number: int, total: int) -> str | None:
        self.asked.append(question.criterion_id)
        return self.replies.pop(0) if self.replies else STOP


def test_the_questions_are_data_tied_to_criterion_ids_and_each_says_why() -> None:
    assert check_questions(MODEL) == []
    for c in MODEL.criteria:
        q = question_for(c)
        assert q.ask.endswith("?") and q.why, c.id
        assert "\n" not in q.why and len(q.why) < 250, c.id


def test_only_what_the_evidence_could_not_settle_is_asked(example_report) -> None:
    questions = questions_to_ask(example_report.findings, None)
    asked = {q.criterion_id for q in questions}
    unknown = {f.criterion.id for f in example_report.findings if f.basis == "none"}
    assert asked == unknown
    assert set(PEOPLE) <= asked  # the people & process criteria: model ownership, rollback, incidents...
    decided = {f.criterion.id for f in example_report.findings if f.basis == "evidence"}
    assert not asked & decided
    levels = [q.finding.criterion.level for q in questions]
    assert levels == sorted(levels)  # the lowest levels first: they decide the level


def test_fresh_answers_are_not_asked_again_and_stale_ones_are(example_report) -> None:
    old = date.today() - timedelta(days=ANSWER_MAX_AGE_DAYS + 5)
    answers = AnswersEvidence.from_values({"MLL-115": "yes"})
    answers.answers.update(AnswersEvidence.from_values({"MLL-319": "no"}, at=old).answers)
    report = assess(EXAMPLE, answers=answers)
    asked = {q.criterion_id: q for q in questions_to_ask(report.findings, answers)}
    assert "MLL-115" not in asked
    assert asked["MLL-319"].previous.value == "no"


def test_answers_record_who_and_when_and_a_stop_keeps_what_was_answered(example_report) -> None:
    questions = questions_to_ask(example_report.findings, None)
    asker = Scripted("yes", SKIP, "no")
    result = run_questionnaire(questions, asker, None, who_default="x", today=date(2026, 1, 2))
    assert result.stopped and result.answered == 2 and result.asked == 3
    first, third = questions[0].criterion_id, questions[2].criterion_id
    assert set(result.answers) == {first, third}
    assert result.answers[first].by == "Jane <jane@x.invalid>"
    assert result.answers[first].at == date(2026, 1, 2)
    assert result.answers[third].value == "no"


def test_questionary_is_driven_without_a_terminal(example_report) -> None:
    """The real prompts, fed keys through prompt_toolkit's pipe input (no TTY involved)."""
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from mlops_ladder.cli.interactive import QuestionaryAsker

    questions = questions_to_ask(example_report.findings, None)[:3]
    with create_pipe_input() as keys:
        keys.send_text("Ann Lee\r" + "n\r" + "y\r" + "q\r")
        asker = QuestionaryAsker(input=keys, output=DummyOutput())
        result = run_questionnaire(questions, asker, None, who_default="x")
    assert [a.value for a in result.answers.values()] == ["no", "yes"]
    assert {a.by for a in result.answers.values()} == {"xAnn Lee"}  # typed after the default text
    assert result.stopped


def test_interactive_without_a_terminal_fails_at_once_with_a_hint(capsys) -> None:
    assert not sys.stdin.isatty()
    code = run(["assess", str(EXAMPLE), "--interactive"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: --interactive needs a terminal")
    assert "hint:" in err and "answers.yml" in err


def test_a_malformed_answers_file_is_one_line_naming_file_and_line(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "answers.yml"
    bad.write_text("answers:\n  - criterion: MLL-319\n    answer: perhaps\n    by: x\n    at: 2026-01-01\n")
    code = run(["assess", str(EXAMPLE), "--answers", str(bad), "-f", "json"])
    err = capsys.readouterr().err
    assert code == 3
    assert err.startswith(f"error: {bad}:3: `answer` must be one of yes, no, unsure") and err.count("\n") == 1


def test_answers_in_the_repository_are_reused_and_marked_in_the_report(tmp_path: Path, capsys) -> None:
    repo = _copy_example(tmp_path)
    (repo / ".mlops-ladder").mkdir()
    recent, old = date.today() - timedelta(days=3), date.today() - timedelta(days=ANSWER_MAX_AGE_DAYS + 1)
    (repo / ".mlops-ladder" / "answers.yml").write_text(
        "version: 1\nanswers:\n"
        f"  - {{criterion: MLL-319, answer: 'yes', by: ops, at: {recent}}}\n"
        f"  - {{criterion: MLL-504, answer: 'yes', by: ops, at: {old}}}\n"
    )
    assert run(["assess", str(repo), "-f", "markdown"]) == 0
    out = capsys.readouterr().out
    assert "## Resting on the team's answers" in out
    assert "**MLL-319** A rollback strategy is agreed and owned: *answer*" in out
    assert "**MLL-504** The workspace runs as a user-assigned managed identity: *claim, stale*" in out
    summary = "2 criteria rest on the team's answers alone (1 claim, 1 stale: ask again with --interactive)."
    assert summary in out


@pytest.mark.slow
def test_assess_interactive_through_a_real_terminal(tmp_path: Path) -> None:
    """pexpect drives the installed command in a pseudo-terminal: answers are saved with who and when,
    the report uses them, and the next run asks only what is still open."""
    pexpect = pytest.importorskip("pexpect")
    command = shutil.which("mlops-ladder", path=str(Path(sys.executable).parent))
    assert command, "the installed mlops-ladder command"
    repo = _copy_example(tmp_path)
    git(repo, "config", "user.name", "Jane Doe")
    git(repo, "config", "user.email", "jane@contoso.invalid")
    out = tmp_path / "report.json"

    def session(*keys: str) -> tuple[int, str, int]:
        child = pexpect.spawn(
            command, ["assess", str(repo), "--interactive", "-f", "json", "-o", str(out), "--force"],
            encoding="utf-8",
            timeout=120,
            dimensions=(50, 160),
            env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        )
        child.expect("Who is answering")
        child.send("\r")  # accept "Jane Doe <jane@contoso.invalid>" from git
        child.expect(r"\[1/(\d+)\]")
        total = int(child.match.group(1))
        for key in keys:
            child.expect(r"to stop\)")
            child.send(key + "\r")
        child.expect(pexpect.EOF)
        child.close()
        return child.exitstatus, child.before, total

    status, transcript, total = session("y", "n", "q")
    assert status == 0, transcript
    assert "Saved 2 new answers to .mlops-ladder/answers.yml (2 in all) before stopping." in transcript
    saved = yaml.safe_load((repo / ".mlops-ladder" / "answers.yml").read_text())["answers"]
    assert [(a["answer"], a["by"], a["at"]) for a in saved] == [
        ("yes", "Jane Doe <jane@contoso.invalid>", date.today()),
        ("no", "Jane Doe <jane@contoso.invalid>", date.today()),
    ]
    first, second = saved[0]["criterion"], saved[1]["criterion"]
    findings = {f["id"]: f for f in json.loads(out.read_text())["findings"]}
    assert findings[first]["outcome"] == "pass" and findings[first]["basis"] in ("answer", "claim")
    assert findings[second]["outcome"] == "fail"
    assert findings[second]["answer"]["by"] == "Jane Doe <jane@contoso.invalid>"

    status, transcript, total_again = session("q")
    assert status == 0
    assert total_again == total - 2  # what was answered is not asked again
    assert load_answers(repo / ".mlops-ladder" / "answers.yml", MODEL).answers.keys() == {first, second}


def _copy_example(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "example")
    return repo
