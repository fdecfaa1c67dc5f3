"""A script split into simple commands.

A script (a GitHub `run:`, an Azure DevOps `script:`, a GitLab `script:` line, a shell
script or a Makefile target it runs) is split into simple commands: line continuations
joined, comments and here-documents dropped, `&&`, `||`, `;`, `|` and `&` separating
commands, `${{ }}` expressions kept whole. The words of each command are the words shlex would
give (split here with regular expressions; a whitespace split when its quoting is broken).

Command substitutions (`$(...)`, backticks; see substitution.py) are commands too: each is
split on its own and attached to the command whose words hold it, to be read in a subshell.
`for NAME in words` and bash array literals (`NAME=(...)`, `NAME+=(...)`) become commands of
their own kind (`loop`, `array`) whose words are the values. Commands written in a function body
are marked (`in_function`, see functions.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from mlops_ladder.assessment.evidence.repo.ci.commands.functions import FunctionBodies
from mlops_ladder.assessment.evidence.repo.ci.commands.substitution import (
    MAX_JOINED_LINES,
    array_start,
    closing_paren,
    find_substitutions,
    is_open,
    may_open_array,
)

_EXPRESSION = re.compile(r"\$\{\{.*?\}\}", re.S)
_PLACEHOLDER = re.compile("\ue000(\\d+)\ue001")
_SUBSTITUTION = re.compile("\ue002(\\d+)\ue003")
_ARRAY = re.compile(
    r"^\s*(?:(?:local|declare|typeset|readonly|export)\s+(?:-\w+\s+)*)?([A-Za-z_]\w*)(\+?)=\((.*)\)\s*$", re.S
)
_HEREDOC = re.compile(r"<<-?\s*['\"]?([A-Za-z_]\w*)['\"]?")
_REDIRECT = re.compile(r"^\d*&?(>>?|<)(&\d*-?)?(.*)$")
_LEADING_KEYWORDS = frozenset({"if", "then", "else", "elif", "do", "while", "until", "!", "{", "time"})
_CLOSING_KEYWORDS = frozenset({"fi", "done", "esac", "}", "then", "else", "do"})
_QUOTING = re.compile(r"['\"\\]")  # quotes and escapes: the words need _quoted_words
_PLAIN_WORD = re.compile(r"[^ \t\r\n]+")  # shlex's whitespace
# The characters _split_operators acts on; a line without any is one command as it stands.
_OPERATOR_CHARS = re.compile(r"[;&|()#'\"\\]")
_OPERATOR_TOKEN = re.compile(r"[;&|()#'\"\\]|\$\(")
_SINGLE_QUOTED_END = re.compile("'")
_DOUBLE_QUOTED_END = re.compile(r'["\\]')
_IGNORING = frozenset({"true", ":", "echo", "exit 0", "Write-Host", "Write-Output", "printf"})


@dataclass
class Command:
    words: list[str]
    line: int
    masked: bool = False
    after_failure: bool = False
    # The commands of each `$(...)` in the words, run before this one in a subshell.
    substitutions: tuple[tuple[Command, ...], ...] = field(default_factory=tuple)
    loop: str | None = None  # `for NAME in words`: the loop variable (words: its values)
    array: tuple[str, bool] | None = None  # `NAME=(words)` / `NAME+=(words)`: (NAME, appends)
    in_function: bool = False  # written in a function body: `$1`... are a call's (functions.py)


def split_commands(script: str, *, windows: bool = False) -> list[Command]:
    """The simple commands of *script*, in order, each with its 0-based line."""
    expressions: list[str] = []

    def protect(match: re.Match[str]) -> str:
        expressions.append(match.group(0))
        return f"\ue000{len(expressions) - 1}\ue001"

    text = _EXPRESSION.sub(protect, script)
    commands: list[Command] = []
    in_failure_branch = False  # inside `if ! cmd; then ...; fi`: the branch runs when cmd failed
    bodies = None if windows else FunctionBodies()
    for line_no, logical in _logical_lines(text, windows):
        logical, inner = _protect_substitutions(logical, windows)
        in_function = bodies is not None and bodies.feed(logical)
        segments = _split_operators(logical)
        cleaned = [_clean_words(segment, windows, expressions, inner) for segment, _ in segments]
        previous_operator: str | None = None
        for index, ((keywords, command), (segment, operator)) in enumerate(
            zip(cleaned, segments, strict=True)
        ):
            if keywords[:2] == ["if", "!"]:
                in_failure_branch = True  # the next `then` opens the branch
                negated_test = True
            else:
                negated_test = False
                if "else" in keywords or "elif" in keywords or command.words[:1] == ["fi"]:
                    in_failure_branch = False
            following = cleaned[index + 1][1].words if index + 1 < len(cleaned) else []
            flags = {
                "masked": operator == "||" and _ignores_failure(following),
                "after_failure": previous_operator == "||" or (in_failure_branch and not negated_test),
            }
            groups = tuple(
                tuple(
                    _flagged(c, flags)
                    for c in split_commands(_restore(inner[int(n)], expressions), windows=windows)
                )
                for n in _SUBSTITUTION.findall(segment)
            )
            if (command.words or command.loop or command.array or groups) and command.words != ["fi"]:
                # _clean_words made this Command for this segment alone: completed in place
                command.line, command.substitutions, command.in_function = line_no, groups, in_function
                command.masked, command.after_failure = flags["masked"], flags["after_failure"]
                commands.append(command)
            previous_operator = operator
    return commands


def _flagged(command: Command, flags: dict[str, bool]) -> Command:
    """A command of a substitution (split for it alone, so changed in place): its failure is ignored or
    conditional as the outer command's is."""
    command.masked = command.masked or flags["masked"]
    command.after_failure = command.after_failure or flags["after_failure"]
    return command


def _protect_substitutions(line: str, windows: bool) -> tuple[str, list[str]]:
    """*line* with each command substitution replaced by a placeholder, and the substitutions."""
    found = find_substitutions(line, backticks=not windows)  # a backtick escapes in PowerShell
    inner: list[str] = []
    for start, end, _text in reversed(found):
        inner.append(line[start:end])
        line = f"{line[:start]}\ue002{len(inner) - 1}\ue003{line[end:]}"
    return line, inner


def _restore(substitution: str, expressions: list[str]) -> str:
    """The script inside `$(...)` or backticks, with the protected `${{ }}` expressions put back."""
    body = substitution[2:-1] if substitution.startswith("$(") else substitution[1:-1]
    return _PLACEHOLDER.sub(lambda m: expressions[int(m.group(1))], body)


def _ignores_failure(words: list[str]) -> bool:
    if not words:
        return False
    return words[0] in _IGNORING or " ".join(words[:2]) in _IGNORING


def _logical_lines(text: str, windows: bool) -> Iterator[tuple[int, str]]:
    continuations = ("\\", "`") if windows else ("\\",)  # a backtick ends a substitution in bash
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        start, buffer = index, lines[index]
        while buffer.rstrip().endswith(continuations) and index + 1 < len(lines):
            buffer = buffer.rstrip()[:-1] + " " + lines[index + 1]
            index += 1
        if is_open(buffer):  # `x=$(` or `ARGS=(` goes on on the next lines
            end = next(
                (
                    i
                    for i in range(index + 1, min(len(lines), index + 1 + MAX_JOINED_LINES))
                    if not is_open("\n".join([buffer, *lines[index + 1 : i + 1]]))
                ),
                None,
            )
            if end is not None:
                buffer = "\n".join([buffer, *lines[index + 1 : end + 1]])
                index = end
        yield start, buffer
        index += 1
        heredoc = _HEREDOC.search(buffer)
        if heredoc:
            marker = heredoc.group(1)
            while index < len(lines) and lines[index].strip() != marker:
                index += 1
            index += 1


# `NAME=(` whose `)` is not on the line, looked for this many times per line at most: each look scans
# the rest of the line, so a hostile line of thousands (`a=( a=( ...`) would take quadratic time.
# Past it, such a `(` is read as the operator it then is anyway.
MAX_UNCLOSED_ARRAYS = 20


def _split_operators(line: str) -> list[tuple[str, str | None]]:
    """Split one logical line at `&&`, `||`, `;`, `|`, `&`, `(` and `)` outside quotes and `$( )`."""
    if not _OPERATOR_CHARS.search(line):  # most lines: one command, nothing to split or drop
        return [(line, None)]
    segments: list[tuple[str, str | None]] = []
    buffer: list[str] = []  # pieces of the segment, never empty (the last one's last character is read)
    quote: str | None = None
    depth = 0
    probes_left = MAX_UNCLOSED_ARRAYS  # array literals left to look for a `)` of
    index, size = 0, len(line)
    while index < size:
        if quote:  # up to the closing quote; `\"` inside double quotes is not one
            found = (_DOUBLE_QUOTED_END if quote == '"' else _SINGLE_QUOTED_END).search(line, index)
            if found is None:
                buffer.append(line[index:])
                break
            stop = found.start()
            if found.group() == "\\":
                buffer.append(line[index : stop + 2])
                index = stop + 2
                continue
            buffer.append(line[index : stop + 1])
            quote, index = None, stop + 1
            continue
        found = _OPERATOR_TOKEN.search(line, index)  # the characters between change nothing
        if found is None:
            buffer.append(line[index:])
            break
        if found.start() > index:
            buffer.append(line[index : found.start()])
        index, char = found.start(), found.group()
        if char in "'\"":
            quote = char
        elif char == "\\" and index + 1 < size:
            buffer.append(line[index : index + 2])
            index += 2
            continue
        elif char == "#" and depth == 0 and (not buffer or buffer[-1][-1:].isspace()):
            break  # a comment
        elif char == "$(":
            depth += 1
            buffer.append("$(")
            index += 2
            continue
        elif char == "(" and depth == 0 and probes_left and _after_assignment(buffer):
            end = closing_paren(line, index + 1)
            if end > 0:  # `ARGS=(...)`: an array literal, not a subshell
                buffer.append(line[index : end + 1])
                index = end + 1
                continue
            probes_left -= 1
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


def _after_assignment(buffer: list[str]) -> bool:
    """array_start for the pieces in *buffer*, joined only when their end may open an array literal
    (a line of many `(` stays linear)."""
    return may_open_array("".join(buffer[-2:])[-2:]) and array_start("".join(buffer))


def _words(segment: str, windows: bool) -> list[str]:
    """The words of *segment* as shlex splits them (POSIX rules, whitespace only, no comments; in
    PowerShell a backslash is a path separator), or a whitespace split when its quoting is broken."""
    if not segment.strip():
        return []
    if not _QUOTING.search(segment):  # no quote or escape: runs of non-blanks
        return _PLAIN_WORD.findall(segment)
    words = _quoted_words(segment, _WINDOWS_PIECE if windows else _POSIX_PIECE)
    return segment.split() if words is None else words  # unbalanced quotes: words as they stand


# A word is a run of pieces: a single-quoted string (literal), a double-quoted one (where a backslash
# escapes `"` and itself only), a backslash and the character it escapes, or plain characters.
_POSIX_PIECE = re.compile(r"""'[^']*'|"(?:[^"\\]|\\.)*"|\\.|[^ \t\r\n'"\\]+""", re.S)
_WINDOWS_PIECE = re.compile(r"""'[^']*'|"[^"]*"|[^ \t\r\n'"]+""")
_BLANKS = re.compile(r"[ \t\r\n]*")  # shlex's whitespace
_ESCAPED_IN_DOUBLE_QUOTES = re.compile(r'\\(["\\])')


def _quoted_words(segment: str, pieces: re.Pattern[str]) -> list[str] | None:
    """shlex's words of *segment* (a regular expression per piece instead of a loop per character);
    None where shlex raises: a quote left open, a backslash at the end."""
    words: list[str] = []
    index, size = _BLANKS.match(segment).end(), len(segment)  # type: ignore[union-attr]
    while index < size:
        word: list[str] = []
        while index < size and segment[index] not in " \t\r\n":
            piece = pieces.match(segment, index)
            if piece is None:
                return None
            text, index = piece.group(), piece.end()
            if text[0] == "'":
                word.append(text[1:-1])
            elif text[0] == '"':
                inner = text[1:-1]
                word.append(
                    inner if pieces is _WINDOWS_PIECE else _ESCAPED_IN_DOUBLE_QUOTES.sub(r"\1", inner)
                )
            elif text[0] == "\\" and pieces is _POSIX_PIECE:
                word.append(text[1])
            else:
                word.append(text)
        words.append("".join(word))
        index = _BLANKS.match(segment, index).end()  # type: ignore[union-attr]
    return words


def _without_comments(text: str) -> str:
    """*text* (the lines of an array literal) without its comments: from a `#` that starts a word,
    outside quotes and not escaped, to the end of its line."""
    out: list[str] = []
    quote: str | None = None
    skipping = escaped = False
    for index, char in enumerate(text):
        if skipping:
            if char != "\n":
                continue
            skipping = False
        elif escaped:  # the character after a backslash: `\"` does not close a quote, `\#` is no comment
            escaped = False
        elif char == "\\" and quote != "'":
            escaped = True
        elif quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or text[index - 1].isspace()):
            skipping = True
            continue
        out.append(char)
    return "".join(out)


def _clean_words(
    segment: str, windows: bool, expressions: list[str], substitutions: list[str]
) -> tuple[list[str], Command]:
    """(leading shell keywords, the command) of one segment: its words with expressions and
    substitutions restored and redirections dropped; a `for` header or an array literal is a
    command of its own kind."""

    def restore(word: str) -> str:
        if "\ue002" not in word and "\ue000" not in word:  # most words: no placeholder
            return word
        word = _SUBSTITUTION.sub(lambda m: substitutions[int(m.group(1))], word)
        return _PLACEHOLDER.sub(lambda m: expressions[int(m.group(1))], word)

    array = _ARRAY.match(segment)
    if array:
        values = [restore(word) for word in _words(_without_comments(array.group(3)), windows)]
        return [], Command(values, 0, array=(array.group(1), array.group(2) == "+"))
    kept: list[str] = []
    skip_next = False
    for word in (restore(word) for word in _words(segment, windows)):
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
        return keywords, Command(["fi"] if kept[0] == "fi" else [], 0)
    if kept[:1] == ["for"] and len(kept) > 2 and kept[2] == "in" and re.fullmatch(r"[A-Za-z_]\w*", kept[1]):
        return keywords, Command(kept[3:], 0, loop=kept[1])
    if kept and kept[0] in ("for", "case", "select", "function"):
        return keywords, Command([], 0)
    return keywords, Command(kept, 0)
