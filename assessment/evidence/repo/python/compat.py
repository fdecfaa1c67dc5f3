"""Reading code written for a newer Python than the one running the tool.

Python 3.12 (PEP 701) lets an f-string's replacement fields hold any expression, including
string literals with the same quotes (`f"{os.path.join(d, "m.pkl")}"`). The `ast` module of
Python 3.11 rejects those files, so a project written for 3.12 would lose every fact in them.
`blank_fstrings` replaces each f-string literal by an empty string literal that spans the same
lines, so that the rest of the module parses with its line numbers unchanged; what the f-strings
held (text meant for logs and paths, rarely a fact a check needs) is not read.
"""

from __future__ import annotations

_PREFIX_LETTERS = frozenset("rRbBuUfF")


def blank_fstrings(source: str) -> str | None:
    """*source* with every f-string literal replaced by an empty literal on as many lines, or None
    when it holds no f-string or cannot be scanned (an unterminated literal)."""
    out: list[str] = []
    i, n, changed = 0, len(source), False
    while i < n:
        char = source[i]
        if char == "#":
            end = source.find("\n", i)
            end = n if end < 0 else end
            out.append(source[i:end])
            i = end
            continue
        if char in "'\"":
            start = i
            prefix = _prefix_before(source, i)
            end = _string_end(source, i, is_f="f" in prefix.lower())
            if end is None:
                return None
            if "f" in prefix.lower():
                del out[len(out) - len(prefix) :]  # the prefix letters were already copied
                lines = source.count("\n", start, end)
                out.append('"""' + "\n" * lines + '"""' if lines else '""')
                changed = True
            else:
                out.append(source[start:end])
            i = end
            continue
        out.append(char)
        i += 1
    return "".join(out) if changed else None


def _prefix_before(source: str, quote: int) -> str:
    """The string prefix (r, b, f, rb, fr...) just before the quote at *quote*, if any."""
    start = quote
    while start > 0 and source[start - 1] in _PREFIX_LETTERS and quote - start < 2:
        start -= 1
    if start > 0 and (source[start - 1].isalnum() or source[start - 1] == "_"):
        return ""  # part of a name (`elif"x"` is not a prefix)
    return source[start:quote]


def _string_end(source: str, i: int, *, is_f: bool) -> int | None:
    """Index just past the string literal whose opening quote is at *i*."""
    quote = source[i] * 3 if source.startswith(source[i] * 3, i) else source[i]
    j = i + len(quote)
    n = len(source)
    while j < n:
        char = source[j]
        if char == "\\":
            j += 2
            continue
        if source.startswith(quote, j):
            return j + len(quote)
        if len(quote) == 1 and char == "\n":
            return None
        if is_f and char == "{":
            if source.startswith("{{", j):
                j += 2
                continue
            end = _field_end(source, j)
            if end is None:
                return None
            j = end
            continue
        j += 1
    return None


def _field_end(source: str, i: int) -> int | None:
    """Index just past the replacement field `{...}` that opens at *i*; nested brackets, strings
    (with any quotes, PEP 701) and format specs with their own fields included."""
    depth, j, n = 0, i, len(source)
    while j < n:
        char = source[j]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                return j + 1
        elif char in "'\"":
            prefix = _prefix_before(source, j)
            end = _string_end(source, j, is_f="f" in prefix.lower())
            if end is None:
                return None
            j = end
            continue
        elif char == "#":  # a comment inside a multi-line field (allowed since 3.12)
            end = source.find("\n", j)
            j = n if end < 0 else end
            continue
        j += 1
    return None
