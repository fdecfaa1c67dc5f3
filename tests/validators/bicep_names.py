"""Evaluate the interpolated Bicep strings the templates derive resource names with."""

from __future__ import annotations

import re


def evaluate(template: str, values: dict[str, str]) -> str:
    """The value of a Bicep interpolated string built from the functions the templates use."""
    template = re.sub(  # ${empty(x) ? '' : '-${x}'}
        r"\$\{empty\((\w+)\) \? '' : '([^'$]*)\$\{(\w+)\}'\}",
        lambda m: "" if not values[m.group(1)] else m.group(2) + values[m.group(3)],
        template,
    )
    template = re.sub(  # ${replace(x, '-', '')}
        r"\$\{replace\((\w+), '-', ''\)\}", lambda m: values[m.group(1)].replace("-", ""), template
    )
    result = re.sub(r"\$\{(\w+)\}", lambda m: values[m.group(1)], template)
    assert "${" not in result, f"unsupported Bicep expression in {template!r}"
    return result
