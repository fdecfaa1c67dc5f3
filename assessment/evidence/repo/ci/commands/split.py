"""A script split into simple commands.

A script (a GitHub `run:`, an Azure DevOps `script:`, a GitLab `script:` line, a shell
script or a Makefile target it runs) is split into simple commands: line continuations
joined, comments and here-documents dropped, `&&`, `||`, `;`, `|` and `&` separating
commands, `${{ }}` expressions kept whole. The words of each command come from shlex (a
whitespace split when its quoting is broken).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass

_EXPRESSION = re.compile(r"\$\{\{.*?\}\}", re.S)
_PLACEHOLDER = re.compile("\ue000(\\d+)\ue001")
_HEREDOC = re.compile(r"<<-?\s*['\"]?([A-Za-z_]\w*)['\"]?")
_REDIRECT = re.compile(r"^\d*&?(>>?|<)(&\d*-?)?(.*)$")
_LEADING_KEYWORDS = frozenset({"if", "then", "else", "elif", "do", "while", "until", "!", "{", "time"})
_CLOSING_KEYWORDS = frozenset({"fi", "done", "esac", "}", "then", "else", "do"})
_IGNORING = frozenset({"true", ":", "echo", "exit 0", "Write-Host", "Write-Output", "printf"})


@dataclass
class Command:
    words: list[str]
    line: int
    masked: bool = False
    after_failure: bool = False


def split_commands(script: str, *, windows: bool = False) -> list[Command]:
    """The simple commands of *script*, in order, each with its 0-based line."""
    expressions: list[str] = []

    def protect(match: re.Match[str]) -> str:
        expressions.append(match.group(0))
        return f"\ue000{len(expressions) - 1}\ue001"

    text = _EXPRESSION.sub(protect, script)
    commands: list[Command] = []
    in_failure_branch = False  # inside `if ! cmd; then ...; fi`: the branch runs when cmd failed
    for line_no, logical in _logical_lines(text):
        segments = _split_operators(logical)
        cleaned = [_clean_words(_words(segment, windows), expressions) for segment, _ in segments]
        previous_operator: str | None = None
        for index, ((keywords, words), (_, operator)) in enumerate(zip(cleaned, segments, strict=True)):
            if keywords[:2] == ["if", "!"]:
                in_failure_branch = True  # the next `then` opens the branch
                negated_test = True
            else:
                negated_test = False
                if "else" in keywords or "elif" in keywords or words[:1] == ["fi"]:
                    in_failure_branch = False
            if words and words != ["fi"]:
                following = cleaned[index + 1][1] if index + 1 < len(cleaned) else []
                commands.append(
                    Command(
                        words,
                        line_no,
                        masked=operator == "||" and _ignores_failure(following),
                        after_failure=previous_operator == "||" or (in_failure_branch and not negated_test),
                    )
                )
            previous_operator = operator
    return commands


def _ignores_failure(words: list[str]) -> bool:
    if not words:
        return False
    return words[0] in _IGNORING or " ".join(words[:2]) in _IGNORING


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        start, buffer = index, lines[index]
        while buffer.rstrip().endswith(("\\", "`")) and index + 1 < len(lines):
            buffer = buffer.rstrip()[:-1] + " " + lines[index + 1]
            index += 1
        yield start, buffer
        index += 1
        heredoc = _HEREDOC.search(buffer)
        if heredoc:
            marker = heredoc.group(1)
            while index < len(lines) and lines[index].strip() != marker:
                index += 1
            index += 1


def _split_operators(line: str) -> list[tuple[str, str | None]]:
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


def _words(segment: str, windows: bool) -> list[str]:
    if not segment.strip():
        return []
    try:
        lexer = shlex.shlex(segment, posix=True)
        lexer.whitespace_split = True
        lexer.commenters = ""
        if windows:
            lexer.escape = ""  # backslashes are path separators
        return list(lexer)
    except ValueError:  # unbalanced quotes: words as they stand
        return segment.split()


def _clean_words(words: list[str], expressions: list[str]) -> tuple[list[str], list[str]]:
    """(leading shell keywords, the command's words) with expressions restored and redirections dropped."""
    restored = [_PLACEHOLDER.sub(lambda m: expressions[int(m.group(1))], word) for word in words]
    kept: list[str] = []
    skip_next = False
    for word in restored:
        if skip_next:
            skip_next = False
            continue
        redirect = _REDIRECT.match(word)
        if redirect:
            skip_next = not redirect.group(2) and not redirect.group(3)
            continue
        kept.append(word)
    keywords: list[str] = []
    while kept and kept[0] in _LEADING_KEYWORDS:
        keywords.append(kept.pop(0))
    if len(kept) == 1 and kept[0] in _CLOSING_KEYWORDS:
        return keywords, ["fi"] if kept[0] == "fi" else []
    if kept and kept[0] in ("for", "case", "select", "function"):
        return keywords, []
    return keywords, kept
