"""JSON from a repository file: `json.loads` whose every failure is a JSONDecodeError.

The standard parser recurses once per nested array or object and raises RecursionError on a
document nested a few thousand levels deep; here that is a JSONDecodeError too ("nested too
deeply"), so each reader's one `except json.JSONDecodeError` notes the file and the scan goes on.
"""

from __future__ import annotations

import json
from typing import Any


def load_json(text: str) -> Any:
    """The value of the JSON document *text*; JSONDecodeError when it does not parse or nests too deep."""
    try:
        return json.loads(text)
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", text, 0) from None
