"""Parse Python 3.12 f-strings (PEP 701) on an older interpreter.

Python 3.12 lets an f-string's expressions reuse the enclosing quote
(`f"saved to {os.path.join(DIR, "model.pkl")}"`). The `ast` of Python 3.11 rejects such a line
and, before this module, the whole file was skipped with a note: a training script with one such
log line lost every MLflow call, registration and seed it holds. When the parse fails on a line
that holds an f-string, the quotes of the strings nested in its expressions are swapped
(`"model.pkl"` -> `'model.pkl'`), which is the same program for the analysis, and the parse is
tried again. On Python 3.12 and later `ast` reads these lines itself and nothing is rewritten.
"""

from __future__ import annotations

import ast
import re
import sys

MAX_REWRITTEN_LINES = 50  # a file with more failing f-string lines is noted, as before
_STRING_START = re.compile(r"(?<![\w])([rRbBuUfF]{0,2})('''|\"\"\"|'|\")")
_OTHER_QUOTE = {'"': "'", "'": '"'}


def parse_python(text: str, path: str) -> ast.Module:
    """`ast.parse(text)`; on an interpreter older than 3.12, lines whose f-strings use PEP 701 quoting
    are rewritten and parsed again. Raises the first SyntaxError when that does not help."""
    try:
        return ast.parse(text, filename=path)
    except SyntaxError as exc:
        if sys.version_info >= (3, 12):
            raise
        first = error = exc  # `exc` itself is unbound when the except block ends
    lines = text.splitlines(keepends=True)
    for _ in range(MAX_REWRITTEN_LINES):
        index = (error.lineno or 0) - 1
        if not 0 <= index < len(lines) or "f" not in lines[index].lower():
            raise first
        rewritten = rewrite_fstrings(lines[index])
        if rewritten == lines[index]:
            raise first
        lines[index] = rewritten
        try:
            return ast.parse("".join(lines), filename=path)
        except SyntaxError as again:
            error = again
    raise first


def rewrite_fstrings(line: str) -> str:
    """*line* with the strings nested in its single-line f-strings' expressions re-quoted so that none
    uses the quote of the f-string around it. Lines without such strings are returned unchanged."""
    out: list[str] = []
    position = 0
    while True:
        match = _STRING_START.search(line, position)
        if match is None:
            out.append(line[position:])
            return "".join(out)
        prefix, quote = match.groups()
        out.append(line[position:match.start()])
        if "f" in prefix.lower() and len(quote) == 1:
            end, body = _fstring(line, match.end(), quote)
        else:
            end = _string_end(line, match.end(), quote)
            body = line[match.end():end]
        if end < 0:  # the string goes on past this line: leave the rest alone
            out.append(line[match.start():])
            return "".join(out)
        out.append(f"{prefix}{quote}{body}{quote}")
        position = end + len(quote)


def _string_end(line: str, start: int, quote: str) -> int:
    """Index of the quote that closes a plain string whose body starts at *start*, or -1."""
    index = start
    while index < len(line):
        if line[index] == "\\":
            index += 2
            continue
        if line.startswith(quote, index):
            return index
        index += 1
    return -1


def _fstring(line: str, start: int, quote: str) -> tuple[int, str]:
    """(index of the closing quote, the body with nested strings re-quoted) of an f-string whose body
    starts at *start*; (-1, "") when it does not close on this line."""
    body: list[str] = []
    depth = 0
    index = start
    while index < len(line):
        char = line[index]
        if depth == 0:
            if char == "\\":
                body.append(line[index:index + 2])
                index += 2
                continue
            if char == quote:
                return index, "".join(body)
            if line.startswith(("{{", "}}"), index):
                body.append(line[index:index + 2])
                index += 2
                continue
        if char == "{":
            depth += 1
        elif char == "}" and depth:
            depth -= 1
        elif depth and char in "'\"":
            original = char * 3 if line.startswith(char * 3, index) else char
            end = _string_end(line, index + len(original), original)
            if end < 0:
                return -1, ""
            inner, inner_quote = line[index + len(original):end], original
            if original == quote:  # the PEP 701 case: use the other quote (or drop the text)
                other = _OTHER_QUOTE[quote]
                inner = "" if other in inner or "\\" in inner else inner
                inner_quote = other
            body.append(f"{inner_quote}{inner}{inner_quote}")
            index = end + len(original)
            continue
        body.append(char)
        index += 1
    return -1, ""

