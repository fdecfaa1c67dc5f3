"""Bicep files read into ARM-shaped resources: parse.py (pycep, and the forms it cannot parse
rewritten), resources.py (resources, nested children and module calls), scope.py (names resolved
to values across module calls), expressions.py (operators and functions evaluated or rendered)."""
