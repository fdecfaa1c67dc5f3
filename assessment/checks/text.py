"""Small text helpers for what checks say they found: counts with their noun, short name lists."""

from __future__ import annotations

from collections.abc import Iterable


def plural(count: int, noun: str) -> str:
    if count == 1:
        return f"{count} {noun}"
    if noun.endswith("y") and noun[-2:-1] not in ("a", "e", "i", "o", "u", ""):
        return f"{count} {noun[:-1]}ies"  # "3 dependencies", not "3 dependencys"
    return f"{count} {noun}s"


def subject(count: int, noun: str, verb_one: str, verb_many: str) -> str:
    """"1 module sets" / "3 modules set"."""
    return f"{plural(count, noun)} {verb_one if count == 1 else verb_many}"


def name_list(items: Iterable[str], limit: int = 3) -> str:
    """At most *limit* distinct names, then "and N more"."""
    items = list(dict.fromkeys(items))
    shown = ", ".join(items[:limit])
    return f"{shown} and {len(items) - limit} more" if len(items) > limit else shown
