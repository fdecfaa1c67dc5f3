"""The project facts of a Python file's text, taken while the Python collector holds the text.

A large repository's Python sources are too big to keep in memory (a copy of site-packages:
158 MiB of source), so the Python collector forgets each text once it has parsed it
(RepoFiles.forget_text), in the process that parsed it. Before that it takes, with
python_text_facts(), what the project collectors would otherwise read the file again for: the
secret scan's findings and whether it is a locust load test (RepoFiles.text_facts).
"""

from __future__ import annotations

from mlops_ladder.assessment.evidence.repo.project.documents import imports_locust
from mlops_ladder.assessment.evidence.repo.project.model import PythonTextFacts
from mlops_ladder.assessment.evidence.repo.project.secret_scan import secrets_in

_NOTHING = PythonTextFacts()  # shared by the files (nearly all) with neither


def python_text_facts(path: str, text: str) -> PythonTextFacts:
    secrets = tuple(secrets_in(path, text))
    locust = imports_locust(text)
    return _NOTHING if not secrets and not locust else PythonTextFacts(secrets, locust)
