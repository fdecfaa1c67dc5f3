"""pycep's operator and function nodes: evaluated when their operands are literals, else rendered.

Operators and functions become `Expr` with a short Bicep-like text (render), except a few that
are evaluated when their operands are literals (`c ? a : b`, `!b`, `-1`, `a.b` on an object,
`a[0]`, `??`, `==`, `!=`; `toLower` and `toUpper` in scope.py).
"""

from __future__ import annotations

import re
from typing import Any

from mlops_ladder.assessment.evidence.common import Expr

_ESCAPES = re.compile(r"\\(['\\nrt$])")
_ESCAPED = {"'": "'", "\\": "\\", "n": "\n", "r": "\r", "t": "\t", "$": "$"}
_BINARY_SYMBOLS = {
    "add": "+", "substract": "-", "multiply": "*", "divide": "/", "modulo": "%",
    "equals": "==", "not_equals": "!=", "equals_case_insensitive": "=~", "not_equals_case_insensitive": "!~",
    "greater_than": ">", "greater_than_or_equals": ">=", "less_than": "<", "less_than_or_equals": "<=",
    "and": "&&", "or": "||", "coalesce": "??",
}


UNRESOLVED = object()


def name_chain(raw: Any) -> list[str] | None:
    """The property names on the right of `.`: "b" -> [b]; a.(b.c) nesting -> [a, b, c]."""
    if isinstance(raw, str):
        return [str(raw)]
    expression = expression_of(raw) if isinstance(raw, dict) else None
    if expression is None or expression[:2] != ("operator", "property_accessor"):
        return None
    head, rest = expression[2].get("operand_1"), name_chain(expression[2].get("operand_2"))
    if not isinstance(head, str) or rest is None:
        return None
    return [str(head), *rest]


def apply_operator(name: str, operands: dict[str, Any]) -> Any:
    """The value of an operator whose operands are literals; UNRESOLVED otherwise."""
    if name == "conditional":
        condition = operands.get("condition")
        if isinstance(condition, bool):
            return operands.get("true_value") if condition else operands.get("false_value")
        return UNRESOLVED
    if name == "not":
        value = operands.get("bool_value")
        return (not value) if isinstance(value, bool) else UNRESOLVED
    if name == "minus":
        value = operands.get("integer_value")
        return -value if isinstance(value, (int, float)) and not isinstance(value, bool) else UNRESOLVED
    left, right = operands.get("operand_1"), operands.get("operand_2")
    if name == "property_accessor" and isinstance(left, dict) and isinstance(right, str):
        return left.get(right, UNRESOLVED)
    if name == "index_accessor" and isinstance(left, list) and isinstance(right, int):
        return left[right] if -len(left) <= right < len(left) else UNRESOLVED
    if name == "coalesce":
        for value in operands.values():
            if isinstance(value, Expr):
                return UNRESOLVED
            if value is not None:
                return value
        return None
    if name in ("equals", "not_equals") and not isinstance(left, Expr) and not isinstance(right, Expr):
        if isinstance(left, (dict, list)) or isinstance(right, (dict, list)):
            return UNRESOLVED
        return (left == right) if name == "equals" else (left != right)
    return UNRESOLVED


def expression_of(raw: dict) -> tuple[str, str, dict] | None:
    """("operator"|"function", type, operands) when *raw* is a pycep operator or function."""
    if len(raw) != 1:
        return None
    kind, inner = next(iter(raw.items()))
    if kind not in ("operator", "function") or not isinstance(inner, dict) or "type" not in inner:
        return None
    args = inner.get("operands" if kind == "operator" else "parameters")
    return kind, str(inner["type"]), args if isinstance(args, dict) else {}


def unescape(text: str) -> str:
    return _ESCAPES.sub(lambda m: _ESCAPED[m.group(1)], text) if "\\" in text else text


def render(raw: Any, depth: int = 0) -> str:
    """A short Bicep-like text of a pycep value, for Expr and evidence."""
    if depth > 6:
        return "…"
    if type(raw) is not str and isinstance(raw, str):
        return str(raw)
    if isinstance(raw, str):
        return f"'{raw}'"
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if raw is None:
        return "null"
    if isinstance(raw, list):
        return "[" + ", ".join(render(v, depth + 1) for v in raw) + "]"
    if isinstance(raw, dict):
        expression = expression_of(raw)
        if expression is None:
            return "{" + ", ".join(f"{clean_key(k)}: {render(v, depth + 1)}" for k, v in raw.items()) + "}"
        return _render_expression(*expression, depth)
    return str(raw)


def _render_expression(kind: str, name: str, args: dict, depth: int) -> str:
    parts = {k: render(v, depth + 1) for k, v in args.items() if v is not None}
    if kind == "function":
        return f"{_camel(name)}({', '.join(parts.values())})"
    if name in _BINARY_SYMBOLS:
        return f" {_BINARY_SYMBOLS[name]} ".join(parts.values())
    if name in ("property_accessor", "nested_resource_accessor"):
        names = name_chain(args.get("operand_2"))
        right = ".".join(names) if names else parts.get("operand_2", "")
        return f"{parts.get('operand_1', '')}{'.' if name == 'property_accessor' else '::'}{right}"
    if name == "index_accessor":
        return f"{parts.get('operand_1', '')}[{parts.get('operand_2', '')}]"
    if name == "function_accessor":
        rest = [v for k, v in parts.items() if k not in ("operand_1", "func_name")]
        return f"{parts.get('operand_1', '')}.{args.get('func_name', '')}({', '.join(rest)})"
    if name == "conditional":
        return f"{parts.get('condition')} ? {parts.get('true_value')} : {parts.get('false_value')}"
    if name == "not":
        return f"!{parts.get('bool_value', '')}"
    if name == "minus":
        return f"-{parts.get('integer_value', '')}"
    return f"{name}({', '.join(parts.values())})"


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


def clean_key(key: Any) -> str:
    text = str(key)
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1]
    return text
