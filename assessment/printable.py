"""Text read from a repository (file names, values quoted from files) made safe to print.

A file name is data: it may hold an escape sequence (which a terminal would obey), a newline
(which would break a Markdown list or table) or bytes that are not UTF-8 (which a JSON report
cannot hold). `printable()` writes such characters as backslash escapes, the same way in every
report format, so that a report shows one spelling of a name:

* bytes that are not valid UTF-8 (decoded with `surrogateescape`) become `\\xNN`;
* control characters become `\\n`, `\\r`, `\\t` or `\\xNN` (C0, DEL, C1);
* characters that reorder or hide text (bidirectional controls, line and paragraph separators,
  other lone surrogates) become `\\uNNNN`.

Everything else, backslashes included, is left as it is (so a name that really contains the
four characters `\\xe9` reads the same as one with that byte; the README says so).
"""

from __future__ import annotations

import re

_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """*text* with every unsafe character written as a backslash escape (see the module docstring)."""
    if _UNSAFE.search(text) is None:  # the common case: nothing to do
        return text
    return _UNSAFE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"
