"""Committed secrets: storage keys, SAS signatures, private keys, GitHub and AWS tokens, Entra
client secrets and passwords.

The scan reads small configuration-like files (see SECRET_SCAN_SUFFIXES) and the other files
the project collectors read anyway, and runs precise patterns only on files where a cheap
trigger search hits; findings are kept redacted (the first characters and the length), never
the value.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable

from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.files import RepoFile, RepoFiles
from mlops_ladder.assessment.evidence.repo.project.common import name_of
from mlops_ladder.assessment.evidence.repo.project.model import (
    ProjectEvidence,
    PythonTextFacts,
    SecretFinding,
)

SECRET_SCAN_SUFFIXES = frozenset(
    {
        ".env", ".ini", ".cfg", ".conf", ".json", ".yml", ".yaml", ".toml", ".py", ".ipynb", ".txt",
        ".properties", ".sh", ".ps1", ".tf", ".bicep", ".bicepparam", ".tfvars",
    }
)
SECRET_SCAN_MAX_BYTES = 1024 * 1024
# Azurite's documented development key: public, valid only against the local emulator.
_AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

# Lower-case substrings one of which every secret pattern needs: `in` on the lowered text is far
# faster than a regular expression, and the precise patterns then run on few files.
_TRIGGERS = (
    "accountkey=", "sharedaccesskey=", "sig=", "private key", "akia", "asia", "client_secret", "clientsecret",
    "passw", "pwd",
)
_GITHUB_TRIGGER = re.compile(r"gh[pousr]_|github_pat_")  # one regex (literal prefix "gh") beats six `in`s
_SECRET_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Azure storage account key", re.compile(r"AccountKey=([A-Za-z0-9+/]{40,}={0,2})")),
    ("Azure shared access key", re.compile(r"SharedAccessKey=([A-Za-z0-9+/]{40,}={0,2})")),
    ("Azure SAS token signature",
     re.compile(r"SharedAccessSignature=[^\s\"';]*?sig=([A-Za-z0-9%+/]{30,}(?:=|%3D){0,2})")),
    ("Azure SAS token signature",
     re.compile(r"[?&]sv=\d{4}-\d\d-\d\d[^\s\"'<>]*?&sig=([A-Za-z0-9%+/]{30,}(?:=|%3D){0,2})")),
    ("private key",
     re.compile(r"-----BEGIN ([A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?)-----([\s\S]{40,8000}?)-----END ")),
    ("GitHub token", re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{36})\b")),
    ("GitHub token", re.compile(r"\b(github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})\b")),
    ("AWS access key id", re.compile(r"\b((?:AKIA|ASIA)[0-9A-Z]{16})\b")),
    ("Azure AD client secret", re.compile(
        r"(?i:client_?secret|clientsecret)[\"']?\s*[:=]\s*[\"']?([A-Za-z0-9_~.\-]{34,40})(?![A-Za-z0-9_~.\-])"
    )),
    ("password", re.compile(
        r"(?i:\b[\w.-]*(?:password|passwd|pwd)\b)[\"']?(?:\s*:\s*[A-Za-z_][\w\[\]|, ]*?)?\s*[:=]\s*"
        r"(?P<q>[\"'])([^\"'\n]{1,200})(?P=q)"
    )),
)
# What a text must contain for each pattern above to match (its literal parts, with the pattern's
# own case rules): a quick test that spares the slower patterns most files, notebooks full of
# output in particular. Patterns without an entry always run.
_PATTERN_NEEDS: dict[re.Pattern[str], Callable[[str], object]] = {
    _SECRET_PATTERNS[0][1]: lambda text: "AccountKey=" in text,
    _SECRET_PATTERNS[1][1]: lambda text: "SharedAccessKey=" in text,
    _SECRET_PATTERNS[2][1]: lambda text: "SharedAccessSignature=" in text,
    _SECRET_PATTERNS[3][1]: lambda text: "sv=" in text and "&sig=" in text,
    _SECRET_PATTERNS[4][1]: lambda text: "-----BEGIN " in text,
    _SECRET_PATTERNS[5][1]: re.compile(r"gh[pousr]_").search,
    _SECRET_PATTERNS[6][1]: lambda text: "github_pat_" in text,
    _SECRET_PATTERNS[7][1]: lambda text: "AKIA" in text or "ASIA" in text,
    _SECRET_PATTERNS[9][1]: re.compile(r"(?i:password|passwd|pwd)").search,
}
_UNQUOTED_PASSWORD = re.compile(
    r"^[ \t]*(?:export[ \t]+|-[ \t]*)?(?i:[\w.-]*(?:password|passwd|pwd))[ \t]*[=:][ \t]*"
    r"([^\s#'\"]{1,200})[ \t]*$",
    re.MULTILINE,
)
_UNQUOTED_SUFFIXES = frozenset({".env", ".ini", ".cfg", ".conf", ".properties", ".yml", ".yaml"})
_PLACEHOLDER_WORDS = (
    "changeme", "change_me", "change-me", "your", "example", "placeholder", "dummy", "redacted", "replace",
    "todo", "xxx", "***", "...", "insert", "<", ">", "{{", "}}", "%(", "env(", "getenv", "environ",
)
_DEFAULT_PASSWORDS = frozenset(
    {
        "password", "passwd", "pass", "none", "null", "admin", "root", "test", "postgres", "default", "guest",
        "user", "true", "false", "required", "optional", "string", "secret",
    }
)
_MAX_FINDINGS_PER_FILE = 20
_ENV_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_NAMES_A_SECRET = re.compile(r"pass|pwd|secret|credential|token")


def redact(value: str) -> str:
    """At most 4 leading characters (fewer for short values) and the length; never the value."""
    shown = value[: min(4, len(value) // 4)]
    return f"{shown}…({len(value)} chars)"


def is_placeholder(value: str) -> bool:
    """Values that are obviously not real credentials: empty, templated, env lookups, examples."""
    value = value.strip()
    lower = value.lower()
    if len(value) < 4 or lower in _DEFAULT_PASSWORDS or len(set(lower)) <= 2:
        return True
    if value[0] in "$%{[(<@" or lower.startswith(("os.", "env:", "env.", "secrets.", "vars.", "process.env")):
        return True
    if _ENV_NAME.fullmatch(value) or (_IDENTIFIER.fullmatch(value) and _NAMES_A_SECRET.search(lower)):
        return True  # an environment variable's name, or an enum-like name ("UsernamePassword")
    return any(word in lower for word in _PLACEHOLDER_WORDS)


def _is_scan_candidate(repo_file: RepoFile) -> bool:
    if repo_file.size > SECRET_SCAN_MAX_BYTES:
        return False
    name = name_of(repo_file).lower()
    dot = name.rfind(".")
    suffix = name[dot:] if dot > 0 else ""
    return suffix in SECRET_SCAN_SUFFIXES or name.startswith(".env") or name.endswith(".env")


def scan_secrets(files: RepoFiles, evidence: ProjectEvidence) -> None:
    # Besides configuration-like files: the other files the project collectors read anyway.
    also_read = {c.path for c in evidence.codeowners} | {c.path for c in evidence.model_cards}
    also_read |= {b.path for b in evidence.dependency_bots} | {d.path for d in evidence.dependency_files}
    for repo_file in files.files:
        if not _is_scan_candidate(repo_file) and repo_file.path not in also_read:
            continue
        facts = files.text_facts.get(repo_file.path)
        if isinstance(facts, PythonTextFacts):  # scanned when it was parsed, then forgotten
            evidence.files_scanned_for_secrets += 1
            evidence.secrets.extend(facts.secrets)
            continue
        text = files.read_text(repo_file.path)
        if text is None:
            continue
        evidence.files_scanned_for_secrets += 1
        evidence.secrets.extend(secrets_in(repo_file.path, text))


def secrets_in(path: str, text: str) -> list[SecretFinding]:
    """What the scan reports for the file *path* holding *text* (at most 20 findings)."""
    lowered = text.lower()
    if not any(trigger in lowered for trigger in _TRIGGERS) and not _GITHUB_TRIGGER.search(text):
        return []
    return scan_text(path, text)[:_MAX_FINDINGS_PER_FILE]


def scan_text(path: str, text: str) -> list[SecretFinding]:
    findings: dict[tuple[int, str], SecretFinding] = {}

    def add(kind: str, start: int, value: str) -> None:
        line = text.count("\n", 0, start) + 1
        findings.setdefault((line, kind), SecretFinding(Location(path, line), kind, redact(value)))

    for kind, pattern in _SECRET_PATTERNS:
        needs = _PATTERN_NEEDS.get(pattern)
        if needs is not None and not needs(text):
            continue
        for match in pattern.finditer(text):
            value = match.group(match.lastindex or 0) if kind != "private key" else match.group(2)
            if kind == "private key":
                body = re.sub(r"\\n|\s|[A-Za-z-]+:[^\n]*", "", value)
                if not re.search(r"[A-Za-z0-9+/]{40,}", body):
                    continue  # a header in documentation, not a key
                value = body
            elif kind in ("password", "Azure AD client secret"):
                if is_placeholder(value) or (kind == "Azure AD client secret" and not _entra_like(value)):
                    continue
            elif value == _AZURITE_KEY or "EXAMPLE" in value or len(set(value)) <= 4:
                continue
            add(kind, match.start(), value)
    name = posixpath.basename(path).lower()
    if posixpath.splitext(name)[1] in _UNQUOTED_SUFFIXES or name.startswith(".env") or name.endswith(".env"):
        for match in _UNQUOTED_PASSWORD.finditer(text):
            if not is_placeholder(match.group(1)):
                add("password", match.start(), match.group(1))
    return sorted(findings.values(), key=lambda f: f.location)


def _entra_like(value: str) -> bool:
    """Entra client secrets have `~` (new format, `...8Q~...`) or `.` and mix letters and digits;
    dotted identifiers (`settings.client_secret_value`) are references, not secrets."""
    if "~" not in value and "." not in value:
        return False
    if re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+", value):
        return False
    return bool(re.search(r"\d", value) and re.search(r"[A-Za-z]", value))
