"""What the repository's CI pipelines do: GitHub Actions, Azure DevOps and GitLab CI.

`collect(files)` reads the CI files once and returns a CiEvidence (see model.py): the
pipelines with their triggers and jobs, one CiAction per recognised command or action (run
the tests, submit an Azure ML job file, deploy a deployment file, apply a template...), the
Azure sign-ins and every `uses:` reference. Checks read those facts, never the YAML.

* github/: .github/workflows/*.yml|yaml, reusable workflows and composite actions.
* azdo/: Azure DevOps pipelines (any YAML shaped like one) and their templates.
* gitlab/: .gitlab-ci.yml, its local includes and child pipelines.
* cloudbuild.py: Google Cloud Build configurations (cloudbuild*.yaml).
* codebuild.py: AWS CodePipelines and CodeBuild projects declared in CloudFormation, with their buildspecs.
* commands/: what a script's commands do, and the files they target.
* builder.py: the job context and the builder the three readers share (with conditions.py, values.py).

Malformed YAML, binary or unreadable files get a Note; the scan goes on.
"""

from __future__ import annotations

from mlops_ladder.assessment.evidence.repo.ci import cloudbuild, codebuild
from mlops_ladder.assessment.evidence.repo.ci.azdo.reader import collect as collect_azdo
from mlops_ladder.assessment.evidence.repo.ci.builder import Builder
from mlops_ladder.assessment.evidence.repo.ci.commands.reader import ScriptReader
from mlops_ladder.assessment.evidence.repo.ci.github.reader import collect as collect_github
from mlops_ladder.assessment.evidence.repo.ci.gitlab.reader import collect as collect_gitlab
from mlops_ladder.assessment.evidence.repo.ci.model import CiEvidence
from mlops_ladder.assessment.evidence.repo.files import RepoFiles


def collect(files: RepoFiles, scripts: ScriptReader | None = None) -> CiEvidence:
    """*scripts*: the repository's script reader, when other collectors read its scripts too."""
    builder = Builder(files, scripts)
    collect_github(files, builder)
    gitlab_files = collect_gitlab(files, builder)
    gitlab_files |= cloudbuild.collect(files, builder)  # the files other readers own: not Azure DevOps
    gitlab_files |= codebuild.collect(files, builder)
    collect_azdo(files, builder, skip=gitlab_files)
    return builder.finish()
