"""Parse Terraform with python-hcl2, and read the shapes of its output.

python-hcl2 is imported on first use. Its output (v8) keeps string literals in double quotes
(`'"mlw"'`) and writes expressions as `'${var.x}'`; older versions drop the quotes, which is
also understood.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

META_KEYS = frozenset({
    "count", "for_each", "depends_on", "lifecycle", "provider", "provisioner", "connection", "dynamic",
    "timeouts", "__is_block__", "__start_line__", "__end_line__",
})

ABSENT: Any = object()


class TerraformReader:
    """Parses HCL text; create one per scan."""

    def __init__(self) -> None:
        import hcl2

        self._hcl2 = hcl2
        try:
            from hcl2.utils import SerializationOptions
        except ImportError:  # python-hcl2 before 8: no options, strings come without quotes
            self._options = None
        else:
            self._options = SerializationOptions(with_comments=False, preserve_heredocs=False)

    def loads(self, text: str) -> dict:
        if self._options is None:
            return self._hcl2.loads(text)
        return self._hcl2.loads(text, serialization_options=self._options)


@dataclass
class TerraformFile:
    path: str
    text: str
    data: dict


def label_of(text: Any) -> str:
    text = str(text)
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


def literal_text(raw: Any) -> str | None:
    if not isinstance(raw, str) or raw.startswith("${"):
        return None
    return label_of(raw)


def blocks(raw: Any) -> list[dict]:
    if isinstance(raw, dict):
        return [raw]
    return [b for b in raw if isinstance(b, dict)] if isinstance(raw, list) else []


def typed_blocks(raw: Any) -> list[tuple[str, str, dict]]:
    """(type, name, body) of `resource "type" "name" {...}` blocks."""
    out = []
    for block in blocks(raw):
        for tf_type, named in block.items():
            if not isinstance(named, dict):
                continue
            for label, body in named.items():
                if isinstance(body, dict) and not str(label).startswith("__"):
                    out.append((label_of(tf_type), label_of(label), body))
    return out


def line_of(text: str, pattern: str) -> int | None:
    match = re.search(pattern, text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def auto_tfvars_values(data: dict) -> dict:
    """Variable assignments of a parsed .tfvars file."""
    return {k: v for k, v in data.items() if not k.startswith("__")}
