"""AWS CodePipeline and CodeBuild, declared in CloudFormation, as CI facts.

A CodePipeline (`AWS::CodePipeline::Pipeline`) in a template of the repository is a pipeline
whose jobs are its stages, run in order:
* triggers: a source action (CodeCommit, GitHub, CodeStar connection, Bitbucket) runs it on
  PUSH; an EventBridge rule (`AWS::Events::Rule`) that targets it runs it on PUSH (a
  `aws.codecommit` pattern), on another EVENT (a model package approved...) or on a SCHEDULE;
  with none of these it runs when started by hand (MANUAL);
* a build or test action runs a CodeBuild project (`AWS::CodeBuild::Project`): the commands of
  its buildspec's phases are read like any CI script, from the buildspec's folder, with the
  project's literal environment variables. The buildspec is inline, or the repository file named
  by `Source.BuildSpec` (default `buildspec.yml`) relative to the source root, which the template
  cannot say: the buildspec files whose path ends with that name fit, and when several do, those
  whose folder is named in the source repository's name or seed archive, else the one at the
  root of this repository;
* a deploy action of provider CloudFormation / CloudFormationStackSet applies the template named
  by `TemplatePath` (`Artifact::file.yaml`): the repository's template of that name, or one the
  build packaged (`x.yaml` -> `x.yaml-packaged`, `x-template.yaml` -> `x.yaml`); its stage name
  is the action's environment, so staging and production stages are environments;
* CodeBuild projects that no pipeline runs, started by an EventBridge rule or a webhook, are
  pipelines of their own.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import replace
from typing import Any

from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.ci.builder import Builder, JobContext, Step
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind, CiJob, CiPipeline, Trigger
from mlops_ladder.assessment.evidence.repo.files import RepoFiles
from mlops_ladder.assessment.evidence.repo.iac.cloudformation import template_files
from mlops_ladder.assessment.evidence.yamlfile import YamlError, line_of, load_yaml

_BUILDSPEC = re.compile(r"(^|/)buildspec[^/]*\.ya?ml$", re.I)
_SOURCES = frozenset(
    {"CodeCommit", "GitHub", "CodeStarSourceConnection", "Bitbucket", "GitHubEnterpriseServer"}
)
_PHASES = ("install", "pre_build", "build", "post_build")
T = Trigger


def collect(files: RepoFiles, builder: Builder) -> frozenset[str]:
    """Read the CodePipelines and CodeBuild projects of the repository's templates; return the
    buildspec files read (no other reader should)."""
    templates = template_files(files, declaring=("AWS::CodePipeline::Pipeline", "AWS::CodeBuild::Project"))
    if not templates:
        return frozenset()
    # every template is a candidate for what a deploy stage applies (the second scan reads cached texts)
    reader = _Reader(files, builder, [p for p, _ in template_files(files)])
    for path, template in templates:
        try:
            reader.template(path, template)
        except Exception as exc:  # one odd template must not stop the scan
            files.note(path, f"CodePipeline not fully read: {type(exc).__name__}: {exc}")
    return frozenset(reader.read)


def _ref(value: Any) -> str | None:
    """The logical id a value refers to: !Ref X, !GetAtt X.Attr, or a !Sub with ${X}."""
    if isinstance(value, dict):
        if "Ref" in value:
            return str(value["Ref"])
        if "Fn::GetAtt" in value:
            target = value["Fn::GetAtt"]
            return str(target[0] if isinstance(target, list) else str(target).split(".")[0])
    return None


def _packaged_from(artifact: str, template: str) -> bool:
    """Whether a build could have written *artifact* from *template*: `x.yaml` -> `x.yaml-packaged`,
    `x.yaml` -> `x-packaged.yaml`, `x-template.yaml` -> `x.yaml`."""
    if artifact.startswith(template):
        return True
    a, t = artifact.split(".", 1)[0], template.split(".", 1)[0]
    return a.startswith(t + "-") or t.startswith(a + "-")


def _folder_named(folder: str, text: str) -> bool:
    return posixpath.basename(folder).lower() in text


def _source_root(buildspec: str, spec: str) -> str:
    """The folder a buildspec named *spec* (relative to the source root) makes the source root."""
    return buildspec[: len(buildspec) - len(spec)].rstrip("/")


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _properties(resource: Any) -> dict:
    props = resource.get("Properties") if isinstance(resource, dict) else None
    return props if isinstance(props, dict) else {}


class _Reader:
    def __init__(self, files: RepoFiles, builder: Builder, cfn_paths: list[str]) -> None:
        self.files = files
        self.builder = builder
        self.cfn_paths = cfn_paths
        self.buildspecs = [f.path for f in files.files if _BUILDSPEC.search(f.path)]
        self.read: set[str] = set()

    def template(self, path: str, template: dict) -> None:
        self.section = template["Resources"]  # keeps the lines of the logical ids
        resources = {str(k): v for k, v in self.section.items() if isinstance(v, dict)}
        of_type = {
            kind: {k: v for k, v in resources.items() if v.get("Type") == kind}
            for kind in ("AWS::CodePipeline::Pipeline", "AWS::CodeBuild::Project", "AWS::Events::Rule")
        }
        rules = of_type["AWS::Events::Rule"]
        run_by_pipelines: set[str] = set()
        for pipeline_id, pipeline in of_type["AWS::CodePipeline::Pipeline"].items():
            run_by_pipelines |= self.pipeline(path, resources, rules, pipeline_id, pipeline)
        for project_id, project in of_type["AWS::CodeBuild::Project"].items():
            if project_id in run_by_pipelines:
                continue
            triggers = self._rule_triggers(rules, project_id)
            webhook = _properties(project).get("Triggers")
            if isinstance(webhook, dict) and webhook.get("Webhook"):
                triggers |= {T.PUSH, T.PULL_REQUEST}
            if triggers:
                self._standalone_project(path, resources, project_id, project, frozenset(triggers))

    # -- pipelines -----------------------------------------------------------------------------------

    def pipeline(self, path: str, resources: dict, rules: dict, pipeline_id: str, pipeline: dict) -> set[str]:
        stages = [s for s in _properties(pipeline).get("Stages") or [] if isinstance(s, dict)]
        triggers = self._rule_triggers(rules, pipeline_id)
        hints: list[str] = []
        for stage in stages:
            for action in stage.get("Actions") or []:
                type_id = action.get("ActionTypeId") if isinstance(action, dict) else None
                if isinstance(type_id, dict) and type_id.get("Category") == "Source":
                    config = action.get("Configuration") or {}
                    if (
                        type_id.get("Provider") in _SOURCES
                        and str(config.get("PollForSourceChanges")) != "false"
                    ):
                        triggers.add(T.PUSH)
                    hints += _strings(config) + _strings(
                        resources.get(_ref(config.get("RepositoryName")) or "")
                    )
        triggers = triggers or {T.MANUAL}
        line = line_of(self.section, pipeline_id)
        jobs = tuple(
            CiJob(f"{pipeline_id}/{s.get('Name')}", str(s.get("Name")), Location(path, line_of(s) or line))
            for s in stages
        )
        self.builder.pipeline(
            CiPipeline("aws-codepipeline", path, {t: Location(path, line) for t in triggers}, jobs)
        )
        run: set[str] = set()
        previous: tuple[str, ...] = ()
        for stage in stages:
            job = f"{pipeline_id}/{stage.get('Name')}"
            actions = [a for a in stage.get("Actions") or [] if isinstance(a, dict)]
            deploys = any((a.get("ActionTypeId") or {}).get("Category") == "Deploy" for a in actions)
            ctx = self.builder.job(
                JobContext(
                    root=path,
                    pipeline=path,
                    job=job,
                    triggers=frozenset(triggers),
                    needs=previous,
                    environment=str(stage.get("Name")) if deploys else None,
                )
            )
            produced: list[str] = []
            for action in actions:
                run |= self._action(path, resources, ctx, action, hints, produced)
            previous = (*previous, job)
        return run

    def _rule_triggers(self, rules: dict, target_id: str) -> set[Trigger]:
        found: set[Trigger] = set()
        for rule in rules.values():
            props = _properties(rule)
            arns = [t.get("Arn") for t in props.get("Targets") or [] if isinstance(t, dict)]
            # Arn: !GetAtt Project.Arn, or !Sub 'arn:...:codepipeline:...:${Pipeline}'
            if not any(
                _ref(arn) == target_id or any(f"${{{target_id}" in s for s in _strings(arn)) for arn in arns
            ):
                continue
            if props.get("ScheduleExpression"):
                found.add(T.SCHEDULE)
            pattern = props.get("EventPattern")
            if pattern:
                found.add(T.PUSH if "aws.codecommit" in _strings(pattern) else T.EVENT)
        return found

    def _action(
        self, path: str, resources: dict, ctx: JobContext, action: dict, hints: list[str], produced: list[str]
    ) -> set[str]:
        type_id = action.get("ActionTypeId") or {}
        config = action.get("Configuration") or {}
        step = Step(str(action.get("Name")), line_of(action) or 0)
        provider, category = type_id.get("Provider"), type_id.get("Category")
        if provider == "CodeBuild" and category in ("Build", "Test"):
            project_id = _ref(config.get("ProjectName")) or ""
            project = resources.get(project_id)
            if isinstance(project, dict):
                produced.extend(self._project(ctx, step, project, hints))
                return {project_id}
        elif category == "Deploy" and provider in ("CloudFormation", "CloudFormationStackSet"):
            template_path = str(config.get("TemplatePath") or config.get("TemplateURL") or "")
            artifact = template_path.partition("::")[2] or template_path
            found = self._template_for(artifact, produced)
            command = f"{provider} deploy of {artifact or 'a template'}"
            self.builder.action(ctx, step, ActionKind.APPLY_IAC, command=command, files=found)
        return set()

    def _standalone_project(
        self, path: str, resources: dict, project_id: str, project: dict, triggers: frozenset[Trigger]
    ) -> None:
        line = line_of(self.section, project_id)
        job = f"{project_id}/build"
        self.builder.pipeline(
            CiPipeline(
                "aws-codebuild",
                path,
                {t: Location(path, line) for t in triggers},
                (CiJob(job, project_id, Location(path, line)),),
            )
        )
        ctx = self.builder.job(JobContext(root=path, pipeline=path, job=job, triggers=triggers))
        self._project(ctx, Step(project_id, line), project, [project_id])

    # -- CodeBuild ------------------------------------------------------------------------------------

    def _project(self, ctx: JobContext, step: Step, project: dict, hints: list[str]) -> list[str]:
        """Read the project's buildspec into *ctx*; return the folders it ran in."""
        props = _properties(project)
        env = {}
        for variable in (props.get("Environment") or {}).get("EnvironmentVariables") or []:
            if isinstance(variable, dict) and isinstance(variable.get("Value"), str | int):
                env[str(variable.get("Name"))] = str(variable["Value"])
        spec = (props.get("Source") or {}).get("BuildSpec", "buildspec.yml")
        if isinstance(spec, str) and "\n" in spec:  # an inline buildspec
            self._buildspec(ctx, step, ctx.pipeline, spec, "", env, inline_line=step.line)
            return [""]
        if not isinstance(spec, str):
            return []
        folders = []
        spec = posixpath.normpath(spec)
        for buildspec in self._buildspec_files(spec, hints):
            text = self.files.read_text(buildspec)
            if text is not None:
                source_root = _source_root(buildspec, spec)  # CodeBuild runs the commands there
                self.read.add(buildspec)
                self._buildspec(ctx, step, buildspec, text, source_root, env)
                folders.append(source_root)
        return folders

    def _buildspec_files(self, spec: str, hints: list[str]) -> list[str]:
        fitting = [p for p in self.buildspecs if p == spec or p.endswith("/" + spec)]
        if len(fitting) > 1:
            text = " ".join(hints).lower()
            named = [p for p in fitting if (root := _source_root(p, spec)) and _folder_named(root, text)]
            # no folder named: the repository itself is the source, if it has that buildspec at its root
            fitting = named or [p for p in fitting if p == spec] or fitting
        return fitting

    def _buildspec(
        self,
        ctx: JobContext,
        step: Step,
        path: str,
        text: str,
        folder: str,
        env: dict[str, str],
        inline_line: int | None = None,
    ) -> None:
        try:
            data = load_yaml(text)
        except YamlError as exc:
            self.files.note(path, f"malformed YAML: {exc}")
            return
        if not isinstance(data, dict) or not isinstance(data.get("phases"), dict):
            return
        variables = dict(env)
        declared = (data.get("env") or {}).get("variables") if isinstance(data.get("env"), dict) else None
        if isinstance(declared, dict):
            variables.update(
                {str(k): str(v) for k, v in declared.items() if isinstance(v, str | int | float)}
            )
        buildspec_ctx = replace(ctx, pipeline=path)
        for phase in _PHASES:
            block = data["phases"].get(phase)
            commands = block.get("commands") if isinstance(block, dict) else None
            for index, command in enumerate(commands if isinstance(commands, list) else []):
                if isinstance(command, str):
                    line = inline_line or (commands.item_line(index) if hasattr(commands, "item_line") else 0)
                    self.builder.script(
                        buildspec_ctx,
                        Step(f"{step.name}: {phase}", line),
                        command,
                        line=line,
                        env=variables,
                        workdir=folder,
                    )

    def _template_for(self, artifact: str, folders: list[str]) -> tuple[str, ...]:
        """The repository template a deployed artifact file is (see the module docstring)."""
        name = posixpath.basename(artifact)
        if not name:
            return ()
        fitting = [p for p in self.cfn_paths if posixpath.basename(p) == name]
        if not fitting:
            fitting = [p for p in self.cfn_paths if _packaged_from(name, posixpath.basename(p))]
        near = [p for p in fitting if any(p.startswith(f + "/") or not f for f in folders)]
        chosen = sorted(near or fitting)
        return tuple(chosen[:1])
