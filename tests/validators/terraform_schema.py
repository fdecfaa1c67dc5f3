"""Check generated Terraform against the azurerm provider's schema, kept in the repository.

No registry here ships a working `terraform` binary with providers, so `terraform validate` cannot
run. Instead every `resource` and `data` block of the generated files is checked against
tests/fixtures/terraform_schema/azurerm.schema.json: the resource type must exist, every argument
and nested block name must be one the provider documents, and every required argument must be
written. The file has the shape of `terraform providers schema -json` (a subset: names and
required/optional, no types), so the real command's output can replace it where terraform runs.

The file is built from the provider's published documentation (website/docs/{r,d}/*.html.markdown
of hashicorp/terraform-provider-azurerm at a release tag) by `build`:

    python -m tests.validators.terraform_schema build <provider checkout> <tag> <type> ...

README.md beside the data records the source, tag and date. Only the types the templates use are
kept; a template that uses a new type fails the check until the type is added.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "terraform_schema"
SCHEMA_FILE = SCHEMA_DIR / "azurerm.schema.json"
PROVIDER = "registry.terraform.io/hashicorp/azurerm"

# Data source pages often leave out (Required)/(Optional) on their arguments: those count as optional.
_ARGUMENT = re.compile(r"^\* `([a-z0-9_]+)` - (?:\((Required|Optional)\))?(.*)$")
_BLOCK_HEADING = re.compile(r"^(?:An?|The) `([a-z0-9_]+)`(?: blocks?)? (?:supports|exports|support)")
# "A `advanced_filter` supports the following nested blocks:" lists blocks whose common schema
# follows "Each nested block consists of ...".
_NESTED_BLOCKS = "the following nested blocks"
_NESTED_SCHEMA = "Each nested block consists of"
_IS_BLOCK = re.compile(r"(?:An?|One or more|A list of|One|Zero or more)?\s*`([a-z0-9_]+)`\s+blocks?\b|"
                       r"of `([a-z0-9_]+)` objects")
META_ARGUMENTS = frozenset({"count", "for_each", "depends_on", "lifecycle", "provider"})
META_BLOCKS = frozenset({"lifecycle", "timeouts", "dynamic", "provisioner", "connection"})


# ---------------------------------------------------------------- building the schema from the docs


def parse_doc(markdown: str) -> dict[str, Any]:
    """The `block` of one resource's schema from its documentation page: the arguments of
    `## Arguments Reference` (attributes and nested blocks, each required or optional)."""
    section = markdown.split("## Argument", 1)[1].split("\n## Attribute", 1)[0]
    exported = ""
    if "\n## Attribute" in markdown:
        exported = markdown.split("\n## Attribute", 1)[1].split("\n## ", 1)[0]
    top: dict[str, dict] = {}
    sections: dict[str, dict[str, dict]] = {}
    current = top
    nested_blocks: dict[str, dict] | None = None  # the section of a "nested blocks" heading
    in_nested_schema = False
    for line in section.splitlines():
        heading = _BLOCK_HEADING.match(line.strip())
        if heading:
            current = sections.setdefault(heading.group(1), {})
            nested_blocks = current if _NESTED_BLOCKS in line else None
            in_nested_schema = False
            continue
        if nested_blocks is not None and line.strip().startswith(_NESTED_SCHEMA):
            shared: dict[str, dict] = {}
            for name, spec in nested_blocks.items():
                spec["block"] = True
                sections[name] = shared
            current, nested_blocks, in_nested_schema = shared, None, True
            continue
        argument = _ARGUMENT.match(line.strip())
        if argument:
            name, kind, text = argument.groups()
            block = _IS_BLOCK.search(text)
            # In a nested-block schema `value` (single-value operators) and `values` (the others)
            # are alternatives, though both pages say Required.
            alternative = in_nested_schema and name in ("value", "values")
            current[name] = {"required": kind == "Required" and not alternative,
                             "block": bool(block and name in (block.group(1), block.group(2)))}
    block = _assemble(top, sections, set())
    for line in exported.splitlines():  # `* \`id\` - The ID ...` or `* \`tenant_id\` is set to ...`
        computed = re.match(r"^\* `([a-z0-9_]+)`", line.strip())
        name = computed.group(1) if computed else None
        if name and name not in block["attributes"] and name not in block["block_types"]:
            block["attributes"][name] = {"computed": True}
    block["attributes"].setdefault("id", {"computed": True})
    return block


def _assemble(arguments: dict[str, dict], sections: dict[str, dict[str, dict]], seen: set[str]) -> dict:
    block: dict[str, Any] = {"attributes": {}, "block_types": {}}
    for name, spec in arguments.items():
        if spec["block"] and name in sections and name not in seen:
            nested = _assemble(sections[name], sections, seen | {name})
            block["block_types"][name] = {"nesting_mode": "list", "min_items": int(spec["required"]),
                                          "block": nested}
        else:
            flag = "required" if spec["required"] else "optional"
            block["attributes"][name] = {flag: True}
    return block


def build(checkout: Path, ref: str, resources: list[str], data_sources: list[str]) -> dict:
    """The schema file's content for *resources* and *data_sources* (azurerm_ names) at git *ref*."""
    def page(kind: str, name: str) -> str:
        path = f"website/docs/{kind}/{name.removeprefix('azurerm_')}.html.markdown"
        return subprocess.run(["git", "-C", str(checkout), "show", f"{ref}:{path}"],
                              check=True, capture_output=True, text=True).stdout

    return {
        "format_version": "1.0",
        "provider_schemas": {PROVIDER: {
            "resource_schemas": {name: {"block": parse_doc(page("r", name))} for name in sorted(resources)},
            "data_source_schemas": {name: {"block": parse_doc(page("d", name))}
                                    for name in sorted(data_sources)},
        }},
    }


# ---------------------------------------------------------------- checking parsed Terraform


@dataclass(frozen=True)
class Problem:
    file: str
    address: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.address}: {self.message}"


def load_schema(path: Path = SCHEMA_FILE) -> dict[str, dict]:
    schemas = json.loads(path.read_text(encoding="utf-8"))["provider_schemas"][PROVIDER]
    return {"resource": schemas["resource_schemas"], "data": schemas["data_source_schemas"]}


def check_file(path: str, parsed: dict, schema: dict[str, dict]) -> list[Problem]:
    """Problems of the `resource` and `data` blocks of one file parsed by python-hcl2 (no options:
    python-hcl2 8 writes labels quoted and blocks as lists of dicts)."""
    problems: list[Problem] = []
    for kind in ("resource", "data"):
        for entry in parsed.get(kind, []):
            for tf_type, named in entry.items():
                tf_type = _unquote(tf_type)
                for label, body in named.items():
                    address = f"{'data.' if kind == 'data' else ''}{tf_type}.{_unquote(label)}"
                    if not tf_type.startswith("azurerm_"):
                        continue  # other providers (azapi) have their own checks
                    known = schema[kind].get(tf_type)
                    if known is None:
                        problems.append(Problem(path, address, f"{tf_type} is not in the provider schema"))
                        continue
                    problems += [Problem(path, address, m) for m in _check_block(body, known["block"], "")]
    return problems


def _check_block(body: dict, block: dict, where: str) -> list[str]:
    problems = []
    attributes, nested = block.get("attributes", {}), block.get("block_types", {})
    written = {k for k in body if not k.startswith("__")}
    for name in sorted(written):
        value = body[name]
        if name in META_ARGUMENTS or name in META_BLOCKS:
            if name == "dynamic":
                for item in value:
                    for dyn_name, dyn in item.items():
                        dyn_name = _unquote(dyn_name)
                        if dyn_name not in nested:
                            problems.append(f"{where}dynamic {dyn_name!r}: no such block")
                        else:
                            problems += _check_block(dyn.get("content", [{}])[0], nested[dyn_name]["block"],
                                                     f"{where}{dyn_name}.")
            continue
        if name in nested:
            if not _is_block_list(value):
                problems.append(f"{where}{name} is a block: write `{name} {{ ... }}`, not `{name} = ...`")
                continue
            for item in value:
                problems += _check_block(item, nested[name]["block"], f"{where}{name}.")
        elif name in attributes and not attributes[name].get("computed"):
            if _is_block_list(value) and not isinstance(value, str):
                problems.append(f"{where}{name} is an argument: write `{name} = ...`, not a block")
        else:
            problems.append(f"{where}{name}: no such argument or block")
    dynamic = {_unquote(n) for item in body.get("dynamic", []) for n in item}
    for name, spec in attributes.items():
        if spec.get("required") and name not in written:
            problems.append(f"{where}{name}: required argument missing")
    for name, spec in nested.items():
        if spec.get("min_items", 0) and name not in written and name not in dynamic:
            problems.append(f"{where}{name}: required block missing")
    return problems


def _is_block_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(
        isinstance(item, dict) and item.get("__is_block__", True) for item in value
    )


def _unquote(text: Any) -> str:
    text = str(text)
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


_REFERENCE = re.compile(
    r"(?<![\w.])(?:(var|local)\.([A-Za-z_]\w*)|data\.([a-z]\w*)\.([A-Za-z_]\w*)(?:\.([a-z_]\w*))?"
    r"|((?:azurerm|azapi)_\w+)\.([A-Za-z_]\w*)(?:\.([a-z_]\w*))?)"
)
_COMMENT = re.compile(r"(?m)^\s*#.*$")


def check_module(texts: dict[str, str], schema: dict[str, dict]) -> list[Problem]:
    """Problems of one root module (*texts*: file name -> HCL text): duplicate declarations across
    its files, and references to a variable, local, resource or data source that no file declares,
    or to an attribute the provider does not export. What `terraform validate` would say first."""
    import hcl2

    problems: list[Problem] = []
    declared: dict[str, dict[str, str]] = {k: {} for k in ("var", "local", "resource", "data", "output")}
    types: dict[str, str] = {}
    for path, text in texts.items():
        parsed = hcl2.loads(text)
        problems += check_file(path, parsed, schema)
        found: list[tuple[str, str]] = []
        found += [("var", _unquote(n)) for block in parsed.get("variable", []) for n in block]
        found += [("output", _unquote(n)) for block in parsed.get("output", []) for n in block]
        found += [("local", n) for block in parsed.get("locals", []) for n in block if not n.startswith("__")]
        for kind in ("resource", "data"):
            for block in parsed.get(kind, []):
                for tf_type, named in block.items():
                    for label in named:
                        address = f"{_unquote(tf_type)}.{_unquote(label)}"
                        found.append((kind, address))
                        types[f"{kind}:{address}"] = _unquote(tf_type)
        for kind, name in found:
            if name in declared[kind]:
                first = declared[kind][name]
                problems.append(Problem(path, f"{kind} {name}", f"declared again (first in {first})"))
            declared[kind].setdefault(name, path)
    for path, text in texts.items():
        for match in _REFERENCE.finditer(_COMMENT.sub("", text)):
            kind, name, data_type, data_name, data_attr, res_type, res_name, res_attr = match.groups()
            if kind:
                if name not in declared[kind]:
                    problems.append(Problem(path, f"{kind}.{name}", "referenced but never declared"))
            elif data_type:
                address = f"{data_type}.{data_name}"
                if address not in declared["data"]:
                    problems.append(Problem(path, f"data.{address}", "referenced but never declared"))
                elif data_attr:
                    problems += _attribute_problem(path, "data", address, data_type, data_attr, schema)
            elif res_type and not text[:match.start()].rstrip().endswith(("resource", "resource \"")):
                address = f"{res_type}.{res_name}"
                if address not in declared["resource"]:
                    problems.append(Problem(path, address, "referenced but never declared"))
                elif res_attr:
                    problems += _attribute_problem(path, "resource", address, res_type, res_attr, schema)
    return problems


def _attribute_problem(path: str, kind: str, address: str, tf_type: str, attribute: str,
                       schema: dict[str, dict]) -> list[Problem]:
    known = schema[kind].get(tf_type)
    if known is None:
        return []  # reported where it is declared
    block = known["block"]
    if attribute in block.get("attributes", {}) or attribute in block.get("block_types", {}):
        return []
    return [Problem(path, f"{address}.{attribute}", f"{tf_type} has no attribute {attribute!r}")]


def main(argv: list[str]) -> int:
    if len(argv) < 4 or argv[0] != "build":
        print(__doc__)
        return 2
    checkout, ref, names = Path(argv[1]), argv[2], argv[3:]
    resources = [n for n in names if not n.startswith("data.")]
    data_sources = [n.removeprefix("data.") for n in names if n.startswith("data.")]
    SCHEMA_FILE.write_text(json.dumps(build(checkout, ref, resources, data_sources), indent=1,
                                      sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
