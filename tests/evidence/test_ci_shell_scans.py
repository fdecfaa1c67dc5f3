"""The shell scans of split.py and substitution.py jump from one character that matters to the next
(regular expressions) instead of looking at every character, and words are split without shlex. This
test keeps the plain character-by-character versions they replaced as references, and shlex itself,
and checks that they give the same answers on random shell-like text and on every shell line of the
calibration repositories."""

from __future__ import annotations

import random
import shlex
import tarfile

from mlops_ladder.assessment.evidence.repo.ci.commands.split import _split_operators, _words
from mlops_ladder.assessment.evidence.repo.ci.commands.substitution import (
    _ARRAY_START,
    _MACRO,
    _closing_backtick,
    _substitutions,
    closing_paren,
    is_open,
)
from tests.conftest import needs_shared
from tests.shared_data import SHARED


def _array_start(buffer: str) -> bool:
    return bool(_ARRAY_START.search(buffer))


# -- the references: the character-by-character scans as they were ----------------------------------


def reference_closing_paren(text: str, index: int) -> int:
    """Index of the `)` that closes a `$(` or `(` opened just before *index*, or -1."""
    depth, quote, size = 1, None, len(text)
    while index < size:
        char = text[index]
        if quote == "'":
            quote = None if char == "'" else quote
        elif char == "\\":
            index += 1
        elif text.startswith("$(", index):
            end = reference_closing_paren(text, index + 2)  # a nested substitution, quoted or not
            if end < 0:
                return -1
            index = end
        elif char == '"':
            quote = None if quote == '"' else '"'
        elif quote is None:
            if char == "'":
                quote = "'"
            elif char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
                if depth == 0:
                    return index
        index += 1
    return -1


def reference_is_open(text: str) -> bool:
    """True when *text* ends inside a `$(...)` or an array literal `NAME=(...)` (it goes on on the
    next line)."""
    index, size, quote = 0, len(text), None
    while index < size:
        char = text[index]
        if quote == "'":
            quote = None if char == "'" else quote
        elif char == "\\":
            index += 1
        elif text.startswith("$(", index) or (char == "(" and _ARRAY_START.search(text[:index])):
            start = index + (2 if char == "$" else 1)
            end = reference_closing_paren(text, start)
            if end < 0:
                return True
            index = end
        elif char == '"':
            quote = None if quote == '"' else '"'
        elif quote is None and char == "'":
            quote = "'"
        elif quote is None and char == "#" and (index == 0 or text[index - 1].isspace()):
            return False
        index += 1
    return False


def reference_substitutions(text: str, backticks: bool) -> tuple[tuple[int, int, str], ...]:
    found: list[tuple[int, int, str]] = []
    index, size, quote = 0, len(text), None
    while index < size:
        char = text[index]
        if quote == "'":
            quote = None if char == "'" else quote
        elif char == "\\":
            index += 1
        elif text.startswith("$(", index):
            end = reference_closing_paren(text, index + 2)
            if end < 0:
                break
            inner = text[index + 2 : end]
            if not inner.startswith("(") and not _MACRO.fullmatch(inner):
                found.append((index, end + 1, inner))
            index = end
        elif char == "`" and backticks:
            end = _closing_backtick(text, index + 1)
            if end < 0:
                break
            found.append((index, end + 1, text[index + 1 : end]))
            index = end
        elif char == '"':
            quote = None if quote == '"' else '"'
        elif quote is None and char == "'":
            quote = "'"
        elif quote is None and char == "#" and (index == 0 or text[index - 1].isspace()):
            break  # a comment
        index += 1
    return tuple(found)


def reference_split_operators(line: str) -> list[tuple[str, str | None]]:
    """Split one logical line at `&&`, `||`, `;`, `|`, `&`, `(` and `)` outside quotes and `$( )`."""
    segments: list[tuple[str, str | None]] = []
    buffer: list[str] = []
    quote: str | None = None
    depth = 0
    index, size = 0, len(line)
    while index < size:
        char = line[index]
        if quote:
            buffer.append(char)
            if char == quote:
                quote = None
            elif char == "\\" and quote == '"' and index + 1 < size:
                buffer.append(line[index + 1])
                index += 1
            index += 1
            continue
        if char in "'\"":
            quote = char
        elif char == "\\" and index + 1 < size:
            buffer.append(char + line[index + 1])
            index += 2
            continue
        elif char == "#" and depth == 0 and (not buffer or buffer[-1][-1:].isspace()):
            break  # a comment
        elif char == "$" and line[index + 1 : index + 2] == "(":
            depth += 1
            buffer.append("$(")
            index += 2
            continue
        elif char == "(" and depth == 0 and _array_start("".join(buffer)):
            end = reference_closing_paren(line, index + 1)
            if end > 0:  # `ARGS=(...)`: an array literal, not a subshell
                buffer.append(line[index : end + 1])
                index = end + 1
                continue
        elif depth:
            depth += {"(": 1, ")": -1}.get(char, 0)
        elif line[index : index + 2] in ("&&", "||"):
            segments.append(("".join(buffer), line[index : index + 2]))
            buffer = []
            index += 2
            continue
        elif char in ";|&()":
            after_angle = bool(buffer) and buffer[-1][-1:] in "<>"
            redirect = char == "&" and (after_angle or line[index + 1 : index + 2] == ">")
            if not redirect:
                segments.append(("".join(buffer), char))
                buffer = []
                index += 1
                continue
        buffer.append(char)
        index += 1
    segments.append(("".join(buffer), None))
    return segments


# -- the comparison ------------------------------------------------------------------------------

_PIECES = [
    " ",
    " ",
    "  ",
    "\t",
    "\n",
    "a",
    "x",
    "run",
    "az",
    "ml",
    "-f",
    "job.yml",
    "$",
    "$(",
    "$((",
    "(",
    ")",
    "))",
    "'",
    '"',
    "\\",
    '\\"',
    "`",
    "#",
    " #",
    "&",
    "&&",
    "|",
    "||",
    ";",
    ">",
    ">&",
    "2>&1",
    "<",
    "=",
    "ARGS=(",
    "ARGS+=(",
    "X=",
    "${A}",
    "${{ x }}",
    "$1",
    "$@",
    "cd",
    "pwd",
    "{",
    "}",
]


def _random_lines(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 24))) for _ in range(count)]


def _shlex_words(segment: str, windows: bool) -> list[str]:
    lexer = shlex.shlex(segment, posix=True)
    lexer.whitespace_split, lexer.commenters = True, ""
    if windows:
        lexer.escape = ""
    try:
        return list(lexer)
    except ValueError:
        return segment.split()


def _agree(text: str) -> None:
    if text.strip():
        assert _words(text, False) == _shlex_words(text, False), text
        assert _words(text, True) == _shlex_words(text, True), text
    assert _split_operators(text) == reference_split_operators(text), text
    assert is_open(text) == reference_is_open(text), text
    for backticks in (True, False):
        assert _substitutions(text, backticks) == reference_substitutions(text, backticks), text
    for start in {0, 1, 2, text.find("(") + 1, text.find("$(") + 2, len(text) // 2}:
        if 0 <= start <= len(text):
            assert closing_paren(text, start) == reference_closing_paren(text, start), (text, start)


def test_the_scans_agree_with_the_character_by_character_ones_on_random_text() -> None:
    for text in _random_lines(20000, seed=11):
        _agree(text)


def test_words_are_split_as_shlex_splits_them() -> None:
    """Quotes and escapes included, and a whitespace split where shlex raises."""
    rng = random.Random(7)
    plain = "ab $x{}-=\t\n\r\x0b\x0c\u00a0#*?~éz/.:;"
    quoting = plain + "'\"\\" * 3
    for alphabet in (plain, quoting):
        for _ in range(20_000):
            segment = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20)))
            for windows in (False, True):
                expected = _shlex_words(segment, windows) if segment.strip() else []
                assert _words(segment, windows) == expected, repr(segment)


CALIBRATION_REPOS = SHARED / "calibration" / "repos"


def _shell_lines() -> list[str]:
    lines: list[str] = []
    for archive in sorted(CALIBRATION_REPOS.glob("*.tar.gz")):
        with tarfile.open(archive) as tar:
            for member in tar:
                if member.isfile() and member.name.endswith((".sh", ".yml", ".yaml", ".ps1", "Makefile")):
                    data = tar.extractfile(member)
                    if data is not None:
                        lines.extend(data.read().decode("utf-8", "replace").splitlines())
    return lines


@needs_shared(CALIBRATION_REPOS)  # skipped without ../shared, a failure under .ci/run
def test_the_scans_agree_with_the_character_by_character_ones_on_real_scripts() -> None:
    lines = _shell_lines()
    assert len(lines) > 10000
    for text in lines:
        _agree(text)
    for first in range(0, len(lines) - 3, 3):  # lines joined, as continued lines and `$(` bodies are
        _agree("\n".join(lines[first : first + 3]))
