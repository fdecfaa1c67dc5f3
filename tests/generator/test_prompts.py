"""The interactive questionnaire of `new`: asks only what is missing, validates as you type."""

from __future__ import annotations

import sys
import types

import pytest

from mlops_ladder.generator.prompts import ask_missing


class FakePrompt:
    def __init__(self, log: list, kind: str, message: str, answer, **kwargs) -> None:
        log.append((kind, message, kwargs))
        self.answer = answer(message, kwargs) if callable(answer) else answer
        self.kwargs = kwargs

    def ask(self):
        return self.answer


def fake_questionary(monkeypatch, answer) -> list:
    log: list = []
    module = types.SimpleNamespace(
        text=lambda message, **kw: FakePrompt(log, "text", message, answer, **kw),
        select=lambda message, **kw: FakePrompt(log, "select", message, answer, **kw),
    )
    monkeypatch.setitem(sys.modules, "questionary", module)
    return log


def test_asks_only_missing_questions_and_accepts_defaults(monkeypatch) -> None:
    log = fake_questionary(monkeypatch, lambda message, kw: kw.get("default"))
    answers = ask_missing({"project_name": "fraud"}, level=2)
    asked = [message for _, message, _ in log]
    assert not any("Project name" in m for m in asked)
    assert not any("Deployment kind" in m for m in asked), "level 2 does not deploy"
    assert answers["package_name"] == "fraud" and answers["model_name"] == "fraud"
    assert answers["environments"] == ["dev", "test", "prod"]
    assert answers["compute_max_nodes"] == 2


def test_deployment_kind_is_asked_for_level_3(monkeypatch) -> None:
    log = fake_questionary(monkeypatch, lambda message, kw: kw.get("default"))
    ask_missing({}, level=3)
    assert any(kind == "select" and "Deployment kind" in m for kind, m, _ in log)


def test_the_validator_shown_while_typing_names_the_problem(monkeypatch) -> None:
    log = fake_questionary(monkeypatch, lambda message, kw: kw.get("default"))
    ask_missing({}, level=1)
    validate = next(kw["validate"] for kind, m, kw in log if "Project name" in m)
    assert validate("churn") is True
    assert "lowercase" in validate("Churn!")


def test_ctrl_c_aborts(monkeypatch) -> None:
    fake_questionary(monkeypatch, None)
    with pytest.raises(KeyboardInterrupt):
        ask_missing({}, level=1)
