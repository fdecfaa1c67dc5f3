"""upgrade and update: chains of levels, 3-way merges that keep every user edit, and safety."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mlops_ladder.assessment.api import assess
from mlops_ladder.cli.main import run
from mlops_ladder.errors import BadInputError, ExitCode, RefusedError, UsageError
from mlops_ladder.generator.changes import apply
from mlops_ladder.generator.history import TemplateSource, freeze
from mlops_ladder.generator.layers import TEMPLATES_DIR
from mlops_ladder.generator.merge import Action
from mlops_ladder.generator.update import plan_update
from mlops_ladder.generator.upgrade import plan_upgrade
from tests.conftest import git
from tests.generator.projects import commit_all, generate

CHANGED_VERSION = "v0.1.1"


@pytest.fixture(scope="module")
def changed_source(tmp_path_factory) -> TemplateSource:
    """A newer template version: README and CI changed, a file added, the released one kept as history."""
    root = tmp_path_factory.mktemp("templates") / "templates"
    shutil.copytree(TEMPLATES_DIR, root, ignore=shutil.ignore_patterns("history", "__pycache__"))
    readme = root / "level-1" / "template" / "README.md.jinja"
    lines = readme.read_text().splitlines(keepends=True)
    title = next(i for i, line in enumerate(lines) if line.startswith("# "))
    lines.insert(title + 1, "Template v0.1.1 adds this paragraph near the top.\n")
    readme.write_text("".join(lines))
    ci = next(p for p in (root / "level-1" / "template").rglob("ci.yml*") if ".github" in p.as_posix())
    ci.write_text(ci.read_text().replace("name: ci", "name: ci  # v0.1.1", 1))
    (root / "level-1" / "template" / "docs").mkdir(exist_ok=True)
    (root / "level-1" / "template" / "docs" / "new-in-v011.md").write_text("# New in v0.1.1\n")
    history = root / "history"
    freeze(TEMPLATES_DIR, "v0.1.0", history)
    return TemplateSource(current=root, version=CHANGED_VERSION, history=history)


# -- upgrade ---------------------------------------------------------------------------------


def test_upgrade_chain_1_2_3_reaches_each_level(project: Path) -> None:
    for target in (2, 3):
        planned = plan_upgrade(project)
        assert planned.to_level == target and not planned.adopted
        apply(planned.plan)
        assert not planned.plan.conflicts
        commit_all(project, f"upgrade to {target}")
        report = assess(project)
        assert report.level == target, [f.criterion.id for f in report.missing_core(target)]


def test_upgrade_keeps_user_edits_in_lower_layer_files(project: Path) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n# my own setting\n")
    commit_all(project)
    apply(plan_upgrade(project).plan)
    assert pyproject.read_text().endswith("# my own setting\n")


def test_dry_run_shows_plan_and_diff_and_writes_nothing(project: Path, capsys) -> None:
    before = git(project, "status", "--porcelain")
    assert run(["upgrade", str(project), "--dry-run"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "from level 1 to level 2" in out and "+++ b/mlops/azureml/train/pipeline.yml" in out
    assert "Dry run: nothing was written." in out
    assert git(project, "status", "--porcelain") == before == ""


def test_dirty_tree_is_refused(project: Path, capsys) -> None:
    (project / "README.md").write_text("changed\n")
    assert run(["upgrade", str(project)]) == ExitCode.REFUSED
    err = capsys.readouterr().err
    assert "uncommitted changes (README.md)" in err and "git stash" in err
    assert run(["update", str(project)]) == ExitCode.REFUSED
    assert not (project / "mlops" / "azureml" / "train").exists()


def test_untracked_files_also_make_the_tree_dirty(project: Path) -> None:
    (project / "scratch.py").write_text("x = 1\n")
    with pytest.raises(RefusedError, match=r"scratch\.py"):
        plan_upgrade(project)


def test_non_git_folder_is_refused_for_update_and_explicit_for_upgrade(project: Path, capsys) -> None:
    shutil.rmtree(project / ".git")
    assert run(["update", str(project)]) == ExitCode.REFUSED
    assert run(["upgrade", str(project)]) == ExitCode.REFUSED
    assert "--no-git" in capsys.readouterr().err
    readme_before = (project / "README.md").read_bytes()
    assert run(["upgrade", str(project), "--no-git"]) == ExitCode.OK
    assert (project / "mlops" / "azureml" / "train" / "pipeline.yml").exists()
    assert (project / "README.md").read_bytes() == readme_before, (
        "without git, existing files are not touched"
    )


def test_unknown_or_impossible_target_levels(project: Path, capsys) -> None:
    # a level out of the range this release has templates for is a usage error, like any bad option value
    assert run(["upgrade", str(project), "--to", "9"]) == ExitCode.USAGE
    assert "level 9 has no templates yet" in capsys.readouterr().err
    assert run(["upgrade", str(project), "--to", "1"]) == ExitCode.BAD_INPUT
    assert "already at level 1" in capsys.readouterr().err


def test_a_failure_mid_way_leaves_the_repository_as_it_was(project: Path) -> None:
    planned = plan_upgrade(project)
    writes = iter(range(10_000))

    def fail_on_fifth(change) -> None:
        if next(writes) == 5:
            raise OSError("disk full")

    with pytest.raises(OSError):
        apply(planned.plan, before_each=fail_on_fifth)
    assert git(project, "status", "--porcelain", "--untracked-files=all") == ""


def test_a_damaged_answers_file_is_a_one_line_error(project: Path, capsys) -> None:
    answers = project / ".mlops-ladder" / "level-1.answers.yml"
    answers.write_text(answers.read_text()[:40] + "\n  - [unclosed\n")
    commit_all(project)
    assert run(["upgrade", str(project)]) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert (
        err.startswith("error: .mlops-ladder/level-1.answers.yml: not valid YAML") and "Traceback" not in err
    )


def test_user_file_at_a_new_layer_path_is_kept_and_reported(project: Path) -> None:
    docs = project / "docs"
    docs.mkdir(exist_ok=True)  # level 1 has docs/security.md
    (docs / "training.md").write_text("my own training notes\n")
    commit_all(project)
    planned = plan_upgrade(project)
    skipped = {c.path: c for c in planned.plan.of(Action.SKIP_OWN)}
    assert "docs/training.md" in skipped
    apply(planned.plan)
    assert (docs / "training.md").read_text() == "my own training notes\n"
    assert "docs/training.md" in (project / ".mlops-ladder" / "level-2.answers.yml").read_text()


# -- update ----------------------------------------------------------------------------------


def test_update_when_current_changes_nothing(project: Path) -> None:
    result = plan_update(project)
    assert result.plan.writes == []
    assert result.layers == [("level-1", "v0.1.0", "v0.1.0")]


def test_update_to_a_changed_template_keeps_user_edits(project: Path, changed_source: TemplateSource) -> None:
    ci = next((project / ".github").rglob("ci.yml"))
    ci.write_text(ci.read_text() + "# my extra comment\n")
    commit_all(project)
    result = plan_update(project, changed_source)
    actions = {c.path: c.action for c in result.plan.changes}
    assert actions["README.md"] == Action.UPDATE
    assert actions[ci.relative_to(project).as_posix()] == Action.MERGE
    assert actions["docs/new-in-v011.md"] == Action.ADD
    apply(result.plan)
    assert "Template v0.1.1 adds this paragraph" in (project / "README.md").read_text()
    text = ci.read_text()
    assert "name: ci  # v0.1.1" in text and text.endswith("# my extra comment\n")
    assert "_commit: v0.1.1" in (project / ".mlops-ladder" / "level-1.answers.yml").read_text()


def test_conflicting_edits_are_listed_and_keep_both_sides(project: Path, changed_source, capsys) -> None:
    readme = project / "README.md"
    lines = readme.read_text().splitlines(keepends=True)
    lines.insert(1, "My own line exactly where the template adds one.\n")  # right after the title
    readme.write_text("".join(lines))
    commit_all(project)
    result = plan_update(project, changed_source)
    assert [c.path for c in result.plan.conflicts] == ["README.md"]
    apply(result.plan)
    text = readme.read_text()
    assert "My own line exactly where" in text and "Template v0.1.1 adds" in text
    assert "<<<<<<< README.md (yours)" in text and ">>>>>>> README.md (template now)" in text


def test_update_cli_exit_code_for_conflicts(project: Path, changed_source, monkeypatch, capsys) -> None:
    readme = project / "README.md"
    lines = readme.read_text().splitlines(keepends=True)
    lines.insert(1, "Mine.\n")
    readme.write_text("".join(lines))
    commit_all(project)
    monkeypatch.setattr("mlops_ladder.generator.update.TemplateSource", lambda: changed_source)
    assert run(["update", str(project)]) == ExitCode.CONFLICTS
    out = capsys.readouterr().out
    assert "Conflicts to resolve" in out and "README.md" in out


def test_update_refuses_a_project_from_an_unknown_release(project: Path) -> None:
    answers = project / ".mlops-ladder" / "level-1.answers.yml"
    answers.write_text(answers.read_text().replace("_commit: v0.1.0", "_commit: v0.0.1"))
    commit_all(project)
    with pytest.raises(BadInputError, match=r"generated by mlops-ladder 0\.0\.1"):
        plan_update(project)


def test_update_refuses_a_repository_we_did_not_generate(tmp_path: Path) -> None:
    root = tmp_path / "r"
    root.mkdir()
    (root / "a.py").write_text("x = 1\n")
    git(root, "init", "-q")
    commit_all(root)
    with pytest.raises(BadInputError, match="not generated by mlops-ladder"):
        plan_update(root)


# -- upgrade 3 -> 4 -> 5: the lower layers' files change with the level, the user's lines stay ----

USER_LINES = {
    # files that layers 1-3 re-render with the new level (contract points of levels 4 and 5)
    "infra/main.bicep": "// my own note on the platform\n",
    "infra/env/prod.bicepparam": "// reviewed by the platform team\n",
    "mlops/azureml/deploy/online/blue.yml": "# my own note on the blue slot\n",
    "src/churn_model_scoring/score.py": "# my own note on scoring\n",
    ".github/workflows/train.yml": "# my own note on training\n",
    "infra/layers/20-training.bicep": "// my own note on the cluster\n",
    "README.md": "\nMy own closing paragraph.\n",
}
# Level 5 replaces the jobs of release.yml (they end the file): a line appended there would be a
# reported conflict, so this edit is one at the top, where users document their workflows.
USER_FIRST_LINES = {".github/workflows/release.yml": "# Owned by the ML platform team.\n"}


@pytest.mark.parametrize("kind", ["online", "batch"])
def test_upgrade_3_4_5_reaches_each_level_and_keeps_every_user_line(tmp_path: Path, kind: str) -> None:
    project = generate(tmp_path / "p3", 3, deployment_kind=kind)
    edits = {path: line for path, line in USER_LINES.items() if (project / path).exists()}
    assert len(edits) >= 6
    for path, line in edits.items():
        target = project / path
        target.write_text(target.read_text() + line)
    for path, line in USER_FIRST_LINES.items():
        (project / path).write_text(line + (project / path).read_text())
    commit_all(project, "my edits")
    for target_level in (4, 5):
        planned = plan_upgrade(project)
        assert planned.to_level == target_level and not planned.adopted
        assert f"level-{target_level}" in planned.layers_added
        apply(planned.plan)
        assert planned.plan.conflicts == [], [c.path for c in planned.plan.conflicts]
        for path, line in edits.items():
            assert (project / path).read_text().endswith(line), f"{path} lost a user line at {target_level}"
        for path, line in USER_FIRST_LINES.items():
            assert (project / path).read_text().startswith(line), f"{path} lost a user line at {target_level}"
        commit_all(project, f"upgrade to {target_level}")
        report = assess(project)
        assert report.level == target_level, [f.criterion.id for f in report.missing_core(target_level)]
    # the lower layers were re-rendered with level 5: the contract points are on
    assert "param networkIsolation = true" in (project / "infra/env/prod.bicepparam").read_text()
    assert "[self-hosted, azure-dev]" in (project / ".github/workflows/train.yml").read_text()
    if kind == "online":
        assert "data_collector:" in (project / "mlops/azureml/deploy/online/blue.yml").read_text()
        assert "collection.collect(" in (project / "src/churn_model_scoring/score.py").read_text()


def test_upgrade_adds_the_data_pipeline_to_a_level_2_project_keeping_every_user_line(tmp_path: Path) -> None:
    root = generate(tmp_path / "p2", 2)
    train = root / ".github" / "workflows" / "train.yml"
    train.write_text(train.read_text() + "# the team's own note\n")
    security = root / "docs" / "security.md"
    security.write_text(security.read_text().replace("## Identities and their roles", "## Who may do what"))
    commit_all(root)
    with pytest.raises(BadInputError, match="already at level 2"):  # nothing asked: nothing to do
        plan_upgrade(root, 2)
    with pytest.raises(UsageError, match="changing data_pipeline keeps its level"):
        plan_upgrade(root, 1, {"data_pipeline": "adf"})

    planned = plan_upgrade(root, 2, {"data_pipeline": "adf"})
    apply(planned.plan)
    assert planned.layers_added == [] and planned.plan.conflicts == []
    for path in ("data-factory/pipeline/CurateCustomers.json", "infra/layers/25-data-factory.bicep",
                 "scripts/adf_deploy.py", ".github/workflows/data-pipeline.yml", "docs/data-pipeline.md"):
        assert (root / path).is_file(), path
    assert train.read_text().endswith("# the team's own note\n") and "DATA_VERSION" in train.read_text()
    assert "## Who may do what" in security.read_text() and "-data`" in security.read_text()
    for n in (1, 2):
        assert "data_pipeline: adf" in (root / ".mlops-ladder" / f"level-{n}.answers.yml").read_text()
    assert assess(root).level == 2
    commit_all(root, "data pipeline")
    assert plan_update(root).plan.changes == []  # the option is recorded: an update keeps it


def test_upgrade_adds_the_data_pipeline_to_an_azure_devops_project_keeping_every_user_line(
    tmp_path: Path,
) -> None:
    root = generate(tmp_path / "p2", 2, ci_system="azure-devops")
    train = root / ".azure-pipelines" / "train.yml"
    train.write_text(train.read_text() + "# the team's own note\n")
    setup = root / "docs" / "azure-devops.md"
    setup.write_text(setup.read_text().replace("## 3. Variable groups", "## 3. Variable groups (ours)"))
    commit_all(root)

    planned = plan_upgrade(root, 2, {"data_pipeline": "adf"})
    apply(planned.plan)
    assert planned.layers_added == [] and planned.plan.conflicts == []
    for path in (".azure-pipelines/data-pipeline.yml", "data-factory/pipeline/CurateCustomers.json",
                 "tests/data_pipeline/test_ado_data_pipeline.py", "docs/data-pipeline.md"):
        assert (root / path).is_file(), path
    assert not (root / ".github").exists()
    text = train.read_text()
    assert text.endswith("# the team's own note\n") and "parameters.dataVersion" in text
    text = setup.read_text()
    assert "## 3. Variable groups (ours)" in text and "## Data pipeline (level 2" in text
    assert assess(root).level == 2


# -- iac: terraform, upgrade 1 -> 2 -> 3: layer files join the one root module, user edits stay ----

TERRAFORM_USER_LINES = {
    "infra/terraform/10-platform.tf": "\n# my own note on the platform\n",
    "infra/terraform/variables.tf": "\n# reviewed by the platform team\n",
    "infra/terraform/env/prod.tfvars": "tags = { costcenter = \"ml-42\" }\n",
    "infra/terraform/env/dev.backend.hcl": "# our state account\n",
    ".github/workflows/_deploy-infra.yml": "# my own note on the deployment\n",
    "README.md": "\nMy own closing paragraph.\n",
}


def test_upgrade_1_2_3_with_terraform_adds_layer_files_and_keeps_every_user_line(tmp_path: Path) -> None:
    project = generate(tmp_path / "tf1", 1, iac="terraform")
    for path, line in TERRAFORM_USER_LINES.items():
        (project / path).write_text((project / path).read_text() + line)
    commit_all(project, "my edits")
    for target_level, added in ((2, "20-training.tf"), (3, "30-serving.tf")):
        planned = plan_upgrade(project)
        assert planned.to_level == target_level and not planned.adopted
        apply(planned.plan)
        assert planned.plan.conflicts == [], [c.path for c in planned.plan.conflicts]
        for path, line in TERRAFORM_USER_LINES.items():
            assert (project / path).read_text().endswith(line), f"{path} lost a user line at {target_level}"
        assert (project / "infra" / "terraform" / added).exists()
        assert not list(project.rglob("*.bicep")), "a Terraform project got Bicep files"
        commit_all(project, f"upgrade to {target_level}")
        report = assess(project)
        assert report.level == target_level, [f.criterion.id for f in report.missing_core(target_level)]


# Azure DevOps: the same lower-layer edits, and edits of the level-4 pipeline and Bicep, which level 5
# re-renders (the level-4 pipelines move to the private agent pools); each level is reached.
ADO_USER_LINES = {path: line for path, line in USER_LINES.items() if not path.startswith(".github/")}
ADO_LEVEL_4_LINES = {
    ".azure-pipelines/retrain.yml": "# my own note on retraining\n",
    "infra/layers/41-retrain-trigger.bicep": "// my own note on the trigger\n",
}


def test_upgrade_3_4_5_with_azure_devops_keeps_every_user_line(tmp_path: Path) -> None:
    project = generate(tmp_path / "p3", 3, deployment_kind="online", ci_system="azure-devops")
    edits = {path: line for path, line in ADO_USER_LINES.items() if (project / path).exists()}
    assert len(edits) >= 6
    for path, line in edits.items():
        (project / path).write_text((project / path).read_text() + line)
    commit_all(project, "my edits")
    for target_level in (4, 5):
        planned = plan_upgrade(project)
        assert planned.to_level == target_level and f"level-{target_level}" in planned.layers_added
        apply(planned.plan)
        assert planned.plan.conflicts == [], [c.path for c in planned.plan.conflicts]
        for path, line in edits.items():
            assert (project / path).read_text().endswith(line), f"{path} lost a user line at {target_level}"
        if target_level == 4:
            assert "vmImage: ubuntu-latest" in (project / ".azure-pipelines/retrain.yml").read_text()
            for path, line in ADO_LEVEL_4_LINES.items():
                (project / path).write_text((project / path).read_text() + line)
            edits.update(ADO_LEVEL_4_LINES)
        commit_all(project, f"upgrade to {target_level}")
        report = assess(project)
        assert report.level == target_level, [f.criterion.id for f in report.missing_core(target_level)]
    retrain = (project / ".azure-pipelines/retrain.yml").read_text()
    assert "name: churn-model-prod" in retrain  # the private agent pool of level 5
    assert (project / ".azure-pipelines/templates/release-registry.yml").is_file()
    assert (project / "infra/layers/53-ci-agents.bicep").is_file()
    assert not (project / ".github").exists() and not (project / "infra/layers/53-ci-runners.bicep").exists()
