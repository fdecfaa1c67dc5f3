"""Shell function bodies, and what their positional parameters stand for.

The script reader reads a script top to bottom, function bodies included, where they are written
(a helper file's functions are what the steps that source it run). Inside a body, `$1`, `$2`...
are the arguments of a call of the function, which the definition does not know: they are not the
script's own arguments. So a body's positional parameters are left unresolved (FunctionScope),
instead of taking the values the script was run with, which named unrelated things (the name of
the helper function a step asked for, a path meant for another function) and made every reading
of a shared helper file depend on every argument any step passed to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

# `name() {`, `name(){`, `function name {`, `function name() {`: the body starts at the `{`
# (on the same line or the next one); what follows it on the line is already in the body
_NAME = r"[A-Za-z_][\w:.-]*"
_HEADER = re.compile(
    rf"^\s*(?:function\s+{_NAME}(?:\s*\(\s*\))?|{_NAME}\s*\(\s*\))\s*(\{{(?=$|[\s;]).*)?$", re.S
)
# a brace that opens or closes a group: a word of its own, not a part of `${X}`
_BRACE = re.compile(r"(?:^|(?<=[\s;&|]))([{}])(?=$|[\s;&|>)])")


class FunctionBodies:
    """Follows logical lines and tells whether each is in a function body (feed())."""

    __slots__ = ("depth", "waiting")

    def __init__(self) -> None:
        self.depth = 0  # open braces since the body's `{`
        self.waiting = False  # a header was read; its `{` comes on the next line

    def feed(self, line: str) -> bool:
        """True when *line* (a logical line) is in a function body, header line included."""
        if self.depth == 0 and not self.waiting:
            header = _HEADER.match(line)
            if header is None:
                return False
            if header.group(1) is None:
                self.waiting = True
                return True
            line = header.group(1)
        elif self.waiting:
            if not line.strip():
                return True
            self.waiting = False
            if not line.lstrip().startswith("{"):
                return False  # not a brace body (`f() ( ... )`): read as before
        for brace in _BRACE.findall(line):
            self.depth += 1 if brace == "{" else -1
            if self.depth <= 0:
                self.depth = 0
                break
        return True


def _positional(name: str) -> bool:
    return (name.isdigit() and name != "0") or name in ("@", "*", "#")


class FunctionScope(Mapping[str, object]):
    """The variables as a function body sees them: its positional parameters are not known."""

    __slots__ = ("env",)

    def __init__(self, env: Mapping[str, object]) -> None:
        self.env = env

    def get(self, name: str, default: object = None) -> object:  # type: ignore[override]
        return default if _positional(name) else self.env.get(name, default)

    def __getitem__(self, name: str) -> object:
        if _positional(name):
            raise KeyError(name)
        return self.env[name]

    def __iter__(self) -> Iterator[str]:
        return (name for name in self.env if not _positional(name))

    def __len__(self) -> int:
        return sum(1 for _ in self)
