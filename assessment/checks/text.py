"""Small text helpers for what checks say they found: counts with their noun, short name lists."""

from __future__ import annotations

from collections.abc import Iterable


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def subject(count: int, noun: str, verb_one: str, verb_many: str) -> str:
    """"1 module sets" / "3 modules set"."""
    return f"{plural(count, noun)} {verb_one if count == 1 else verb_many}"


def name_list(items: Iterable[str], limit: int = 3) -> str:
    """At most *limit* distinct names, then "and N more"."""
    items = list(dict.fromkeys(items))
    shown = ", ".join(items[:limit])
    return f"{shown} and {len(items) - limit} more" if len(items) > limit else shown
