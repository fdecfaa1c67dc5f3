#!/usr/bin/env python3
"""Print the condition that limits a CI identity's Role Based Access Control Administrator role.

    python3 scripts/ci_role_condition.py <principal-id> [<principal-id> ...]

The deployments grant roles to the project's own identities (workspace, jobs, endpoint). With this
condition on its role-assignment rights, a CI identity may create or delete only assignments of the
roles the Bicep files grant (read from the `roles` variables of infra/main.bicep and
infra/layers/*.bicep) to the principals given here, so it can never grant itself or anyone else
Owner. Used by the README's "Set up OIDC" step 3:

    az role assignment create ... --role "Role Based Access Control Administrator" \\
        --condition "$(python3 scripts/ci_role_condition.py "$WORKSPACE_ID" ...)" --condition-version 2.0

Standard library only. When a layer grants a new role, run the set-up step again (docs/security.md).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

INFRA = Path(__file__).resolve().parent.parent / "infra"
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
ROLES_BLOCK = re.compile(r"^var roles = \{(.*?)^\}", re.MULTILINE | re.DOTALL)
ROLE_ENTRY = re.compile(r"^\s*\w+: '([0-9a-f-]{36})'", re.MULTILINE)


def granted_roles(infra: Path = INFRA) -> list[str]:
    """The role definition ids of the `roles` variables of every Bicep file under *infra*."""
    roles: set[str] = set()
    for path in [infra / "main.bicep", *sorted((infra / "layers").glob("*.bicep"))]:
        if path.exists():
            for block in ROLES_BLOCK.findall(path.read_text(encoding="utf-8")):
                roles.update(ROLE_ENTRY.findall(block))
    return sorted(roles)


def condition(roles: list[str], principals: list[str]) -> str:
    """An ABAC condition (version 2.0): write and delete only these roles, for these principals."""
    if not roles:
        raise ValueError("the Bicep files grant no role: nothing to allow")
    for value in [*roles, *principals]:
        if not GUID.match(value):
            raise ValueError(f"{value!r} is not an id (a lowercase GUID)")
    role_set = ", ".join(roles)
    principal_set = ", ".join(principals)
    parts = []
    for action, source in (("write", "@Request"), ("delete", "@Resource")):
        parts.append(
            f"((!(ActionMatches{{'Microsoft.Authorization/roleAssignments/{action}'}})) OR "
            f"({source}[Microsoft.Authorization/roleAssignments:RoleDefinitionId] "
            f"ForAnyOfAnyValues:GuidEquals {{{role_set}}} AND "
            f"{source}[Microsoft.Authorization/roleAssignments:PrincipalId] "
            f"ForAnyOfAnyValues:GuidEquals {{{principal_set}}}))"
        )
    return " AND ".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("principals", nargs="+",
                        help="object ids of the identities the deployments grant roles to")
    parser.add_argument("--infra", type=Path, default=INFRA, help="the infra/ folder")
    args = parser.parse_args(argv)
    try:
        print(condition(granted_roles(args.infra), [p.strip().lower() for p in args.principals]))
    except (OSError, ValueError) as error:
        print(f"ci_role_condition: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
