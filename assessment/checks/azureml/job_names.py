"""What the name of a job, a step or a file says it does: train, or something else (evaluate, score,
prepare data, register, deploy...).

Names decide only when nothing better can: a CI step that submits a command job whose code is
elsewhere (ci/submissions.py), or an SDK v1 pipeline step whose script is configured outside the
repository (`PythonScriptStep(name="Train Model", script_name=env.train_script)`, training_jobs.py).
Words are matched whole, after `_`, `.`, `/`, `\\` and `-` are read as spaces ("train_model.py",
"Evaluate Model").
"""

from __future__ import annotations

import re

TRAINING_WORDS = re.compile(
    r"\b(train\w*|fit|fitting|tun(e|ing)|sweep\w*|hyperdrive|automl|finetun\w*)\b", re.I
)
OTHER_WORDS = re.compile(
    r"\b(eval\w*|scor(e|ing)|test\w*|validat\w*|prep\w*|preprocess\w*|data(set)?|ingest\w*|download\w*|"
    r"register\w*|deploy\w*|monitor\w*|drift|inference|predict\w*|batch|explain\w*|compar\w*|benchmark\w*)\b",
    re.I,
)


def spaced(text: str) -> str:
    return re.sub(r"[_./\\-]", " ", text)


def says_it_trains(text: str) -> bool | None:
    """True when *text* has a training word, False when it has only another job's word, None when it
    says neither ("step1", "main")."""
    words = spaced(text)
    if TRAINING_WORDS.search(words):
        return True
    return False if OTHER_WORDS.search(words) else None


def other_word(text: str) -> str | None:
    """The first word of *text* that names a job other than training ("evaluate"), or None."""
    match = OTHER_WORDS.search(spaced(text))
    return match.group(0) if match else None
