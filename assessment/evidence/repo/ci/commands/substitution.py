"""Command substitutions and array literals in shell text.

`$(...)` and backticks run commands whose output becomes part of another command
(`run_id=$(az ml job create -f x.yml --query name -o tsv)`): those inner commands are commands
too. `$((...))` is arithmetic, and `$(name)` alone is an Azure DevOps macro (a variable), not a
command. Inside `$(...)` quoting starts afresh, so `"$(cd "$(dirname "$0")" && pwd)"` nests.

`NAME=(...)` and `NAME+=(...)` are bash array literals, kept whole when a line is split at
operators (their parentheses are not a subshell).
"""

from __future__ import annotations

import functools
import re

_MACRO = re.compile(r"\s*[A-Za-z_][\w.-]*\s*")  # $(name): an Azure DevOps macro, not a command
_ARRAY_START = re.compile(r"(?:^|[\s;&|])[A-Za-z_]\w*\+?=$")
# The characters each scan acts on (any other character changes nothing): the scans jump from one
# to the next instead of looking at every character.
_PAREN_TOKEN = re.compile(r"[\\'\"()]|\$\(")
_OPEN_TOKEN = re.compile(r"[\\'\"(#]|\$\(")
# `$(` inside `$(`, followed this deep (real scripts: 3 or 4); a deeper one is read as left open, so
# that a hostile line of thousands does not exhaust the stack and lose the rest of its workflow
MAX_NESTING = 50
MAX_JOINED_LINES = 50  # a `$(` or `=(` left open joins at most this many following lines


def find_substitutions(text: str, *, backticks: bool = True) -> tuple[tuple[int, int, str], ...]:
    """(start, end, inner text) of each outermost command substitution of *text*, outside single
    quotes and comments; an unclosed one is left out."""
    return _substitutions(text, backticks)


# Pure, on words and lines that helper scripts repeat many times (every reading of a sourced helper
# expands the same words again): each distinct text is scanned once, character by character.
@functools.lru_cache(maxsize=8192)
def _substitutions(text: str, backticks: bool) -> tuple[tuple[int, int, str], ...]:
    if "$(" not in text and not (backticks and "`" in text):
        return ()
    found: list[tuple[int, int, str]] = []
    index, size, quote = 0, len(text), None
    while index < size:
        char = text[index]
        if quote == "'":
            quote = None if char == "'" else quote
        elif char == "\\":
            index += 1
        elif text.startswith("$(", index):
            end = closing_paren(text, index + 2)
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


def closing_paren(text: str, index: int, nesting: int = 0) -> int:
    """Index of the `)` that closes a `$(` or `(` opened just before *index*, or -1 (also for one
    inside more than MAX_NESTING others: *nesting* is how many it is in)."""
    if nesting > MAX_NESTING:
        return -1
    depth, quote, size = 1, None, len(text)
    while index < size:
        if quote == "'":  # nothing but the closing quote counts
            index = text.find("'", index)
            if index < 0:
                return -1
            quote, index = None, index + 1
            continue
        found = _PAREN_TOKEN.search(text, index)  # jump over the characters that change nothing
        if found is None:
            return -1
        index, token = found.start(), found.group()
        if token == "\\":
            index += 2
            continue
        if token == "$(":
            end = closing_paren(text, index + 2, nesting + 1)  # a nested substitution, quoted or not
            if end < 0:
                return -1
            index = end + 1
            continue
        if token == '"':
            quote = None if quote == '"' else '"'
        elif quote is None:
            if token == "'":
                quote = "'"
            elif token == "(":
                depth += 1
            else:  # ")"
                depth -= 1
                if depth == 0:
                    return index
        index += 1
    return -1


def _closing_backtick(text: str, index: int) -> int:
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] == "`":
            return index
        index += 1
    return -1


def is_open(text: str) -> bool:
    """True when *text* ends inside a `$(...)` or an array literal `NAME=(...)` (it goes on on the
    next line)."""
    if "(" not in text:  # most lines: neither can open
        return False
    index, size, quote = 0, len(text), None
    while index < size:
        if quote == "'":
            index = text.find("'", index)
            if index < 0:
                return False
            quote, index = None, index + 1
            continue
        found = _OPEN_TOKEN.search(text, index)
        if found is None:
            return False
        index, token = found.start(), found.group()
        if token == "\\":
            index += 2
            continue
        if token == "$(" or (token == "(" and array_start(text, index)):
            end = closing_paren(text, index + len(token))
            if end < 0:
                return True
            index = end + 1
            continue
        if token == '"':
            quote = None if quote == '"' else '"'
        elif quote is None and token == "'":
            quote = "'"
        elif quote is None and token == "#" and (index == 0 or text[index - 1].isspace()):
            return False
        index += 1
    return False


def array_start(text: str, end: int | None = None) -> bool:
    """True when the text before a `(` (*text* up to *end*) makes it an array literal (`ARGS=(`,
    `ARGS+=(`, maybe with a newline before the `(`). Its last two characters are looked at first
    (may_open_array), without a copy or a search, so that a line of many `(` stays linear."""
    end = len(text) if end is None else end
    return may_open_array(text[max(0, end - 2) : end]) and _ARRAY_START.search(text, 0, end) is not None


def may_open_array(tail: str) -> bool:
    """The cheap half of array_start, on the last two characters before a `(`: `=`, or `=` and a newline."""
    return tail.endswith("=") or tail == "=\n"
