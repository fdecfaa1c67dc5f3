"""The resource instances one environment's deployment creates, from the Bicep and from the Terraform,
as (ARM resource type, name) pairs that can be compared: the equivalence test of levels 4 and 5
(tests/templates/test_terraform_equivalence45.py).

Both sides are *evaluated* for given inputs (env, project name, suffix): loops (`for x in ...`,
`for_each`, `count`) are expanded, conditions (`if (...)`, `count = cond ? 1 : 0`) decided, names
computed. Values known only at deployment (resource ids, principal ids) become `Unknown`; a name that
depends on one, or an expression this evaluator does not know, raises ValueError, so the test fails
instead of comparing less than it claims.

- Bicep: pycep-parser's tree of each file; modules are followed with their params. A pycep string is
  an identifier when it names a parameter, variable, resource or loop variable in scope, else a literal
  (pycep drops the quotes); interpolations inside strings are re-parsed as expressions.
- Terraform: python-hcl2's Lark tree of every .tf file of the root module (locals, variables with
  their defaults, resources); `jsondecode(file(...))` reads the rendered JSON settings.

Compared as: the resource's ARM type and its own name (a child resource's last segment); role
assignments by their role definition GUID (Bicep names them with guid(), Terraform lets Azure do it).
"""

from __future__ import annotations

import re
from typing import Any

GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
ROLE_ASSIGNMENT = "Microsoft.Authorization/roleAssignments"


class Unknown:
    """A value known only when Azure deploys (an id, a principal id)."""

    def __init__(self, what: str) -> None:
        self.what = what

    def __str__(self) -> str:
        return f"<{self.what}>"

    def __getattr__(self, name: str) -> Unknown:
        return Unknown(f"{self.what}.{name}")


def as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def instance_name(arm_type: str, name: Any, role: Any) -> str:
    if arm_type == ROLE_ASSIGNMENT:
        match = GUID.search(as_text(role))
        if not match:
            raise ValueError(f"role assignment without a role definition GUID: {role}")
        return match.group(0)
    if isinstance(name, Unknown) or "<" in as_text(name):
        raise ValueError(f"{arm_type}: name known only at deployment: {name}")
    return as_text(name).rsplit("/", 1)[-1]


from tests.validators.bicep_eval import bicep_instances  # noqa: E402
from tests.validators.terraform_eval import terraform_instances  # noqa: E402

__all__ = ["bicep_instances", "terraform_instances"]
