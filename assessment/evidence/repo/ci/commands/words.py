"""The words of one command: its options, its program name, the wrappers around it, its report text.

Wrappers (`uv run`, `poetry run`, `sudo`, `VAR=x`...) are peeled off so that the command they
run is what the tool families see.
"""

from __future__ import annotations

import functools
import posixpath
import re
import shlex

COMMAND_WIDTH = 160
ASSIGNMENT = re.compile(r"^([A-Za-z_]\w*)=(.*)$", re.S)

# -- options --------------------------------------------------------------------------------


def parse_options(args: list[str]) -> dict[str, list[str]]:
    """Options as written: `--name value`, `--name=value`, `-n value`, flags.

    An option takes every word up to the next option (`--set a=1 b=2`)."""
    options: dict[str, list[str]] = {}
    current: list[str] | None = None
    for arg in args:
        if arg.startswith("-") and len(arg) > 1 and not _is_number(arg):
            name, equals, value = arg.partition("=")
            current = options.setdefault(name, [])
            if equals:
                current.append(value)
                current = None
        elif current is not None:
            current.append(arg)
    return options


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def first_option(options: dict[str, list[str]], *names: str) -> str | None:
    for name in names:
        values = options.get(name)
        if values:
            return values[0]
    return None


def flat_options(options: dict[str, list[str]]) -> dict[str, str]:
    return {name: " ".join(values) for name, values in options.items()}


_SECRET_OPTIONS = frozenset(
    {
        "-p",
        "--password",
        "--client-secret",
        "--secret",
        "--token",
        "--federated-token",
        "--account-key",
        "--sas-token",
        "-password",
        "-federatedtoken",
        "-clientsecret",
    }
)


def shorten(words: list[str]) -> str:
    """One line for a report, with literal values of secret options hidden."""
    shown: list[str] = []
    hide_next = False
    for word in words:
        if hide_next and not word.startswith(("$", "-")):
            shown.append("***")
        else:
            shown.append(word if " " not in word else shlex.quote(word))
        hide_next = word.lower() in _SECRET_OPTIONS
    text = " ".join(shown)
    return text if len(text) <= COMMAND_WIDTH else text[: COMMAND_WIDTH - 3] + "..."


@functools.lru_cache(maxsize=4096)  # pure, and asked for every word of every command
def program(word: str) -> str:
    name = posixpath.basename(word.replace("\\", "/")).lower()
    for suffix in (".exe", ".cmd", ".bat"):
        name = name.removesuffix(suffix)
    return name


# -- wrappers -------------------------------------------------------------------------------

_PREFIX_COMMANDS = frozenset({"sudo", "time", "exec", "nohup", "command", "xvfb-run", "stdbuf", "nice"})
_RUNNERS = {
    "uv": "run",
    "poetry": "run",
    "pipenv": "run",
    "pdm": "run",
    "rye": "run",
    "conda": "run",
    "mamba": "run",
    "micromamba": "run",
    "pixi": "run",
    "pipx": "run",
}
_RUNNER_VALUE_OPTIONS = frozenset(
    {
        "-n",
        "--name",
        "-p",
        "--prefix",
        "-e",
        "--env",
        "--environment",
        "--with",
        "--python",
        "--extra",
        "--group",
        "--package",
        "--project",
        "--directory",
        "--env-file",
        "--index",
        "--spec",
        "--from",
    }
)


def unwrap(words: list[str]) -> list[str]:
    """The command a wrapper runs: `uv run pytest` -> `pytest`, `FOO=1 sudo -E az ...` -> `az ...`."""
    while words:
        name = program(words[0])
        if ASSIGNMENT.match(words[0]) and len(words) > 1:
            words = words[1:]
        elif name in _PREFIX_COMMANDS and len(words) > 1:
            words = _skip_options(words[1:], frozenset({"-u", "-g"}))
        elif name == "env" and len(words) > 1:
            rest = _skip_options(words[1:], frozenset({"-u", "--unset", "-C", "--chdir"}))
            while rest and ASSIGNMENT.match(rest[0]):
                rest = rest[1:]
            words = rest
        elif name == "timeout" and len(words) > 2:
            words = _skip_options(words[1:], frozenset({"-s", "--signal", "-k", "--kill-after"}))[1:]
        elif name in _RUNNERS and len(words) > 2 and words[1] == _RUNNERS[name]:
            words = _skip_options(words[2:], _RUNNER_VALUE_OPTIONS)
        elif name == "uvx" and len(words) > 1:
            words = _skip_options(words[1:], _RUNNER_VALUE_OPTIONS)
        else:
            break
    return words


def _skip_options(words: list[str], with_value: frozenset[str]) -> list[str]:
    index = 0
    while index < len(words) and words[index].startswith("-"):
        index += 2 if words[index] in with_value else 1
    return words[index:]
