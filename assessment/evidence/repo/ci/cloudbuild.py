"""Google Cloud Build configurations as CI facts.

A configuration is a YAML or JSON file named `cloudbuild*.yaml|yml|json` (anywhere), or any such
file in a `cloudbuild/` or `.cloudbuild/` folder, whose top level has a `steps:` list of items
with a builder image (`name:`). Each file is one pipeline with one job ("build") whose steps
run in order.

* A step's command is its `script:`, or its `entrypoint` with `args` (`bash -c "..."` runs the
  script), or the builder image's tool with `args` (`gcr.io/cloud-builders/gcloud`,
  `hashicorp/terraform`, `google/cloud-sdk`...). `dir:` is its working folder (below
  `/workspace`, the checkout), `env:` its variables; `$$` is a literal `$`.
* Substitutions with a default in `substitutions:` are replaced (`${_ENV_DIRECTORY}`); built-in
  and trigger-given ones stay unresolved.
* Triggers: Cloud Build triggers are configured in Google Cloud unless the repository declares
  them (Terraform `google_cloudbuild_trigger` whose `filename` is the file: `push` gives PUSH,
  `pull_request` PULL_REQUEST, a tag pattern RELEASE). Without a declared trigger the build runs
  when someone submits it (MANUAL), and a push or pull request trigger is possible but unknown.
"""

from __future__ import annotations

import posixpath
import re

from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.ci.builder import Builder, JobContext, Step
from mlops_ladder.assessment.evidence.repo.ci.model import CiJob, CiPipeline, Trigger
from mlops_ladder.assessment.evidence.repo.files import RepoFiles
from mlops_ladder.assessment.evidence.yamlfile import line_of

_NAME = re.compile(r"(^|/)\.?cloudbuild[^/]*\.(ya?ml|json)$|(^|/)\.?cloudbuild/[^/]+\.(ya?ml|json)$", re.I)
_SHELLS = frozenset({"bash", "sh", "/bin/bash", "/bin/sh", "/usr/bin/env bash"})
_TOOL_IMAGES = {  # builder image (without registry and tag) -> the program its args are given to
    "cloud-builders/gcloud": "gcloud",
    "cloud-builders/gsutil": "gsutil",
    "cloud-builders/docker": "docker",
    "cloud-builders/kubectl": "kubectl",
    "cloud-builders/git": "git",
    "cloud-builders/npm": "npm",
    "cloud-builders/gke-deploy": "gke-deploy",
    "google/cloud-sdk": "gcloud",
    "cloud-sdk": "gcloud",
    "hashicorp/terraform": "terraform",
}
_SUBSTITUTION = re.compile(r"\$\{(_[A-Z0-9_]+)\}|\$(_[A-Z0-9_]+)")
_TRIGGER_BLOCK = re.compile(r'resource\s+"google_cloudbuild_trigger"\s+"[^"]+"\s*\{')


def collect(files: RepoFiles, builder: Builder) -> frozenset[str]:
    """Read the Cloud Build configurations; return their paths (no other reader should)."""
    declared = _declared_triggers(files)
    read: set[str] = set()
    for repo_file in files.files:
        if not _NAME.search(repo_file.path):
            continue
        data = builder.load(repo_file.path, note_non_mapping=False)
        steps = data.get("steps") if data else None
        if not isinstance(steps, list) or not all(isinstance(s, dict) and "name" in s for s in steps):
            continue
        read.add(repo_file.path)
        try:
            _read(repo_file.path, data, steps, declared.get(repo_file.path), builder)
        except Exception as exc:  # one odd configuration must not stop the scan
            files.note(
                repo_file.path, f"Cloud Build configuration not fully read: {type(exc).__name__}: {exc}"
            )
    return frozenset(read)


def _read(path: str, data: dict, steps: list, declared: set[Trigger] | None, builder: Builder) -> None:
    if declared:
        triggers, possible = frozenset(declared), frozenset()
    else:
        triggers, possible = frozenset({Trigger.MANUAL}), frozenset({Trigger.PUSH, Trigger.PULL_REQUEST})
    line = line_of(data, "steps", 1)
    builder.pipeline(
        CiPipeline(
            "cloud-build",
            path,
            {t: Location(path, line) for t in triggers},
            (CiJob("build", "build", Location(path, line)),),
        )
    )
    substitutions = data.get("substitutions") if isinstance(data.get("substitutions"), dict) else {}
    defaults = {str(k): str(v) for k, v in substitutions.items() if isinstance(v, str | int | float)}
    ctx = builder.job(
        JobContext(root=path, pipeline=path, job="build", triggers=triggers, possible_triggers=possible)
    )
    for index, step in enumerate(steps):
        script = _command(step)
        if not script:
            continue
        script = _substitute(script, defaults)
        folder = _substitute(str(step.get("dir", "")), defaults)
        folder = folder.removeprefix("/workspace").strip("/")
        env = {}
        for item in step.get("env") or []:
            name, _, value = str(item).partition("=")
            if "$" not in _substitute(value, defaults):
                env[name] = _substitute(value, defaults)
        step_line = steps.item_line(index) if hasattr(steps, "item_line") else line
        name = str(step.get("id") or step.get("name"))
        builder.script(ctx, Step(name, step_line), script, line=step_line, env=env, workdir=folder)


def _command(step: dict) -> str:
    if isinstance(step.get("script"), str):
        return step["script"]
    args = [str(a) for a in step.get("args") or []]
    entrypoint = str(step.get("entrypoint") or "").strip()
    if entrypoint in _SHELLS and args[:1] == ["-c"] and len(args) > 1:
        return args[1]
    if entrypoint:
        return " ".join([entrypoint, *(_quote(a) for a in args)])
    image = re.sub(r"^[^/]+\.(io|dev|com)/", "", str(step.get("name", ""))).split(":", 1)[0].split("@", 1)[0]
    tool = _TOOL_IMAGES.get(image) or _TOOL_IMAGES.get(posixpath.basename(image))
    return " ".join([tool, *(_quote(a) for a in args)]) if tool else " ".join(_quote(a) for a in args)


def _quote(arg: str) -> str:
    return arg if arg and not re.search(r"\s|['\"]", arg) else "'" + arg.replace("'", "'\\''") + "'"


def _substitute(text: str, defaults: dict[str, str]) -> str:
    text = _SUBSTITUTION.sub(lambda m: defaults.get(m.group(1) or m.group(2), m.group(0)), text)
    return text.replace("$$", "$")


def _declared_triggers(files: RepoFiles) -> dict[str, set[Trigger]]:
    """Configuration path -> the triggers Terraform declares for it (google_cloudbuild_trigger)."""
    found: dict[str, set[Trigger]] = {}
    for repo_file in files.with_suffix(".tf"):
        text = files.read_text(repo_file.path) or ""
        for match in _TRIGGER_BLOCK.finditer(text):
            block = _block(text, match.end() - 1)
            filename = re.search(r'\bfilename\s*=\s*"([^"]+)"', block)
            if not filename:
                continue
            triggers = found.setdefault(posixpath.normpath(filename.group(1)), set())
            if re.search(r"\bpull_request\s*\{", block):
                triggers.add(Trigger.PULL_REQUEST)
            if re.search(r"\bpush\s*\{", block):
                triggers.add(Trigger.RELEASE if re.search(r"\btag\s*=", block) else Trigger.PUSH)
            if not triggers:
                triggers.add(Trigger.MANUAL)
    return found


def _block(text: str, start: int) -> str:
    """The `{...}` block that opens at *start*, braces balanced."""
    depth = 0
    for index in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[index], 0)
        if depth == 0:
            return text[start : index + 1]
    return text[start:]
