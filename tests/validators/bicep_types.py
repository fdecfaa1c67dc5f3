"""Offline type check of Bicep files against Microsoft's published Bicep type definitions.

No Bicep compiler exists where our tests run, so generated Bicep is checked here against the
`Azure/bicep-types-az` data kept in `shared/bicep-types/generated` (see its README for the format):

* BCP081   `Type@apiVersion` is not in the index (usually a typo in the type or the api-version)
* BCP037   a property that the type does not allow (with a "did you mean" hint)
* BCP073   a read-only property is assigned
* BCP035   a required top-level property of a resource body (for example `name`) is missing
* BCP078   an object of a discriminated type (for example `computeType`) lacks its discriminator
* BCP088   a string literal that is not a member of a closed enum
* BCP156   a nested resource whose type is not a single segment
* NOT_DEPLOYABLE  a non-`existing` resource whose type can only be referenced (`writableScopes` 0)
* PARSE    pycep-parser could not parse the file or a resource declaration

Resource declarations are located with a small tokenizer and each one is parsed on its own by pycep
(nested child resources are cut out of their parent and given their full type). pycep keeps only
one nested child per parent, gives every child the parent's api-version and does not unnest
children of a looped parent; parsing each declaration alone avoids all three, and a pycep grammar gap
in an unrelated statement (a user-defined type, say) does not stop the resources from being checked.

Not checked: expressions (anything computed: function calls, operators, interpolated strings,
references to params/vars/resources), value kinds other than closed string enums (ints, bools,
patterns, lengths), required properties below the top level, module params, and resource types of
providers that the filtered index does not cover.
"""

from __future__ import annotations

import difflib
import json
import re
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.shared_data import SHARED

TYPES_ROOT = SHARED / "bicep-types" / "generated"
"""Where CI puts the type data: the repository is cloned with shared/ beside it (<dir>/repo, <dir>/shared)."""

EXTRA_TYPES_ROOTS = (Path(__file__).resolve().parent / "data" / "bicep-types-datafactory",)
"""Providers that shared/bicep-types leaves out, kept beside this validator in the same format (each
folder's README says where its files come from); merged into every index, never overriding it."""

PARSE_TIMEOUT_SECONDS = 5.0
"""pycep's regex lexer can backtrack for minutes on some inputs; a parse that takes longer is a PARSE."""

FLAG_REQUIRED = 1
FLAG_READ_ONLY = 2
BICEP_RESOURCE_KEYWORDS = frozenset({"parent", "scope", "dependsOn", "depends_on"})
SKIPPED_DIRECTORIES = frozenset({".git", "node_modules"})
MAX_LISTED = 15


@dataclass(frozen=True)
class BicepProblem:
    file: str
    line: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.code} {self.message}"


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def check_bicep_file(path: Path, types_root: Path) -> list[BicepProblem]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return [BicepProblem(str(path), 1, "PARSE", f"cannot read the file: {exc}")]
    return check_bicep_text(text, str(path), types_root)


def check_bicep_text(text: str, name: str, types_root: Path) -> list[BicepProblem]:
    index = _type_index(types_root)
    problems: list[BicepProblem] = []
    tokens = _tokenize(text)
    identifiers = frozenset(token.text for token in tokens if token.kind == "ident")
    declarations = _find_declarations(tokens)
    # Nested resources are parsed one by one below; pycep rejects some valid ones (decorated ones).
    nested = [(d.start, d.end) for d in declarations if d.parent is not None]
    file_error = _pycep_error(_blank_spans(text, 0, len(text), nested))
    if file_error is not None:
        line, message = file_error
        problems.append(BicepProblem(name, line, "PARSE", f"pycep could not parse the file: {message}"))
    for declaration in declarations:
        checker = _DeclarationChecker(name, text, declaration, declarations, identifiers, index)
        problems.extend(checker.check(file_error_line=file_error[0] if file_error else None))
    return sorted(problems, key=lambda p: (p.line, p.code, p.message))


def check_tree(root: Path, types_root: Path) -> list[BicepProblem]:
    problems: list[BicepProblem] = []
    for path in sorted(root.rglob("*.bicep")):
        if SKIPPED_DIRECTORIES.isdisjoint(path.relative_to(root).parts) and path.is_file():
            problems.extend(check_bicep_file(path, types_root))
    return problems


# ---------------------------------------------------------------------------------------------
# Type data: index.json and types.json files, each loaded once per process
# ---------------------------------------------------------------------------------------------

_JSON_CACHE: dict[Path, Any] = {}
_INDEX_CACHE: dict[Path, _TypeIndex] = {}


def _load_json(path: Path) -> Any:
    """Parsed JSON of `path`, or None when the file is not present; some files are MBs, so parse once."""
    if path not in _JSON_CACHE:
        try:
            _JSON_CACHE[path] = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            _JSON_CACHE[path] = None
    return _JSON_CACHE[path]


@dataclass
class _TypeIndex:
    root: Path
    refs: dict[str, str] = field(default_factory=dict)  # "type@version".lower() -> "path#/N"
    versions: dict[str, list[str]] = field(default_factory=dict)  # "type".lower() -> api-versions
    namespaces: set[str] = field(default_factory=set)  # lower-cased providers the index covers

    def ref(self, resource_type: str, api_version: str) -> str | None:
        return self.refs.get(f"{resource_type}@{api_version}".lower())


def _type_index(types_root: Path) -> _TypeIndex:
    root = types_root.resolve()
    if root not in _INDEX_CACHE:
        data = _load_json(root / "index.json")
        if data is None:
            raise FileNotFoundError(f"no Bicep type index at {root / 'index.json'}")
        index = _TypeIndex(root)
        for key, ref in data["resources"].items():
            index.refs.setdefault(key.lower(), ref["$ref"])
            resource_type, _, version = key.rpartition("@")
            index.versions.setdefault(resource_type.lower(), []).append(version)
            index.namespaces.add(resource_type.split("/", 1)[0].lower())
        for extra in EXTRA_TYPES_ROOTS:
            _merge_index(index, extra)
        _INDEX_CACHE[root] = index
    return _INDEX_CACHE[root]


def _merge_index(index: _TypeIndex, extra_root: Path) -> None:
    """Add the entries of another index; their refs become absolute paths (`root / absolute` is the
    absolute path), so the types they point at load from *extra_root*."""
    data = _load_json(extra_root / "index.json")
    if data is None:
        return
    for key, ref in data["resources"].items():
        relative_path, _, node = ref["$ref"].partition("#/")
        index.refs.setdefault(key.lower(), f"{(extra_root / relative_path).as_posix()}#/{node}")
        resource_type, _, version = key.rpartition("@")
        index.versions.setdefault(resource_type.lower(), []).append(version)
        index.namespaces.add(resource_type.split("/", 1)[0].lower())


# ---------------------------------------------------------------------------------------------
# Tokenizer: just enough Bicep lexing to find resource declarations and match brackets
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # ident | string | open | close | punct
    text: str
    start: int
    end: int


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPENERS = {"{": "}", "[": "]", "(": ")"}


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position, length = 0, len(text)
    while position < length:
        char = text[position]
        if char.isspace():
            position += 1
            continue
        if text.startswith("//", position):
            newline = text.find("\n", position)
            position = length if newline < 0 else newline
            continue
        if text.startswith("/*", position):
            close = text.find("*/", position + 2)
            position = length if close < 0 else close + 2
            continue
        if text.startswith("'''", position):
            close = text.find("'''", position + 3)
            end = length if close < 0 else close + 3
            tokens.append(_Token("string", text[position:end], position, end))
            position = end
            continue
        if char == "'":
            end = _string_end(text, position)
            tokens.append(_Token("string", text[position:end], position, end))
            position = end
            continue
        match = _IDENT.match(text, position)
        if match:
            tokens.append(_Token("ident", match.group(), position, match.end()))
            position = match.end()
            continue
        kind = "open" if char in _OPENERS else "close" if char in "}])" else "punct"
        tokens.append(_Token(kind, char, position, position + 1))
        position += 1
    return tokens


def _string_end(text: str, start: int) -> int:
    """Offset after the single-quoted string at `start`; `${...}` may hold nested strings and braces."""
    position = start + 1
    while position < len(text):
        char = text[position]
        if char == "\\":
            position += 2
        elif char == "'":
            return position + 1
        elif text.startswith("${", position):
            position = _interpolation_end(text, position + 2)
        else:
            position += 1
    return len(text)


def _interpolation_end(text: str, position: int) -> int:
    depth = 1
    while position < len(text):
        char = text[position]
        if char == "'":
            position = _string_end(text, position)
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return position + 1
        position += 1
    return len(text)


def _match_brackets(tokens: list[_Token]) -> dict[int, int]:
    """Token index of each bracket -> index of its partner (both directions); unbalanced ones are left out."""
    partners: dict[int, int] = {}
    stack: list[int] = []
    for position, token in enumerate(tokens):
        if token.kind == "open":
            stack.append(position)
        elif token.kind == "close" and stack and _OPENERS[tokens[stack[-1]].text] == token.text:
            opener = stack.pop()
            partners[opener] = position
            partners[position] = opener
    return partners


# ---------------------------------------------------------------------------------------------
# Resource declarations
# ---------------------------------------------------------------------------------------------


@dataclass
class _Declaration:
    symbol: str
    type_token: _Token  # the quoted 'Type@apiVersion' (or 'childType[@apiVersion]' when nested)
    start: int  # offset of the first decorator, or of `resource`
    end: int  # offset after the body
    existing: bool
    parent: _Declaration | None = None
    full_type: str | None = None  # None when the type cannot be known (interpolated or malformed)
    api_version: str | None = None
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (offset, code, message)


def _find_declarations(tokens: list[_Token]) -> list[_Declaration]:
    partners = _match_brackets(tokens)
    declarations: list[_Declaration] = []
    for position, token in enumerate(tokens):
        declaration = _declaration_at(tokens, partners, position) if token.text == "resource" else None
        if declaration is not None:
            declarations.append(declaration)
    open_declarations: list[_Declaration] = []
    for declaration in declarations:  # already in text order, so a stack finds the innermost parent
        while open_declarations and open_declarations[-1].end <= declaration.start:
            open_declarations.pop()
        declaration.parent = open_declarations[-1] if open_declarations else None
        _resolve_type(declaration)
        open_declarations.append(declaration)
    return declarations


def _declaration_at(tokens: list[_Token], partners: dict[int, int], position: int) -> _Declaration | None:
    """The declaration `resource sym 'type' [existing] = [if (...)] {...}|[...]` starting at `position`."""
    following = tokens[position + 1 : position + 3]
    if len(following) < 2 or following[0].kind != "ident" or following[1].kind != "string":
        return None
    if following[1].text.startswith("'''"):
        return None
    cursor = position + 3
    existing = cursor < len(tokens) and tokens[cursor].text == "existing"
    if existing:
        cursor += 1
    if cursor >= len(tokens) or tokens[cursor].text != "=":
        return None
    cursor += 1
    if cursor < len(tokens) and tokens[cursor].text == "if":
        cursor += 1
        if cursor not in partners or tokens[cursor].text != "(":
            return None
        cursor = partners[cursor] + 1
    if cursor not in partners or tokens[cursor].kind != "open":
        return None
    start = tokens[_decorators_start(tokens, partners, position)].start
    return _Declaration(following[0].text, following[1], start, tokens[partners[cursor]].end, existing)


def _decorators_start(tokens: list[_Token], partners: dict[int, int], position: int) -> int:
    """Index of the first decorator token (`@batchSize(1)`, `@sys.description('x')`) before `position`."""
    start = position
    while True:
        cursor = start - 1
        if cursor >= 0 and tokens[cursor].text == ")" and cursor in partners:
            cursor = partners[cursor] - 1
        if cursor < 0 or tokens[cursor].kind != "ident":
            return start
        while cursor >= 2 and tokens[cursor - 1].text == "." and tokens[cursor - 2].kind == "ident":
            cursor -= 2
        if cursor < 1 or tokens[cursor - 1].text != "@":
            return start
        start = cursor - 1


def _resolve_type(declaration: _Declaration) -> None:
    literal = declaration.type_token.text[1:-1]
    if "${" in literal or "\\" in literal:
        return
    resource_type, _, api_version = literal.partition("@")
    parent = declaration.parent
    if parent is None:
        declaration.full_type, declaration.api_version = resource_type, api_version or None
        return
    if "/" in resource_type:
        declaration.problems.append((declaration.type_token.start, "BCP156", (
            f"The resource type segment '{literal}' is invalid. Nested resources must specify a single "
            "type segment, and optionally an api-version using the format '<type>@<apiVersion>'.")))
        return
    if parent.full_type is None:
        return
    declaration.full_type = f"{parent.full_type}/{resource_type}"
    declaration.api_version = api_version or parent.api_version


# ---------------------------------------------------------------------------------------------
# pycep
# ---------------------------------------------------------------------------------------------

_PARSER: Any = None


class _ParseTimeoutError(Exception):
    pass


def _pycep_parse(text: str) -> dict[str, Any]:
    global _PARSER
    if _PARSER is None:
        from pycep import BicepParser  # costs 0.5 s, so only when a Bicep file is checked

        _PARSER = BicepParser(add_line_numbers=True)
    with _time_limit(PARSE_TIMEOUT_SECONDS):
        return _PARSER.parse(text=text)


def _pycep_error(text: str) -> tuple[int, str] | None:
    """(line, one-line message) when pycep cannot parse `text`, else None."""
    try:
        _pycep_parse(text)
    except _ParseTimeoutError:
        return 1, f"pycep gave up after {PARSE_TIMEOUT_SECONDS:g} s"
    except Exception as exc:  # pycep raises lark errors, ValueError, KeyError... on unsupported input
        line = getattr(exc, "line", None)
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return (line if isinstance(line, int) and line > 0 else 1), message
    return None


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after `seconds` (only where SIGALRM can be used: POSIX, main thread)."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_alarm(_signum: int, _frame: Any) -> None:
        raise _ParseTimeoutError

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# pycep renders Bicep expressions as dicts of these shapes; object literals are plain dicts.
def _is_expression(value: Any) -> bool:
    if not isinstance(value, dict):
        return False
    keys = set(value)
    if len(keys) == 1 and keys <= {"operator", "function"}:
        inner = next(iter(value.values()))
        return isinstance(inner, dict) and "type" in inner
    if keys == {"type", "operands"}:
        return True
    return keys == {"type", "detail"} and value.get("type") == "lambda_expression"


def _is_loop(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"loop_type", "condition", "config"} and isinstance(
        value["loop_type"], dict)


def _unwrap_resource_body(config: Any) -> Any:
    """The object inside `[for ...: {...}]`, `if (...) {...}` and `[for ...: if (...) {...}]`."""
    while isinstance(config, dict):
        if _is_loop(config) or set(config) == {"condition", "config"}:
            config = config["config"]
        else:
            return config
    return config


def _clean_key(raw: str) -> str | None:
    """Property name from pycep's key (quoted keys keep their quotes); None for interpolated keys."""
    if "${" in raw:
        return None
    if len(raw) >= 2 and raw[0] == raw[-1] == "'":
        return raw[1:-1]
    return raw


# ---------------------------------------------------------------------------------------------
# Checking one declaration
# ---------------------------------------------------------------------------------------------

_Path = tuple[str | int, ...]


@dataclass
class _Types:
    """The nodes of one types.json (an array; in-file refs are `#/N`)."""

    file: Path
    nodes: list[dict[str, Any]]

    def node(self, ref: dict[str, str]) -> dict[str, Any]:
        target = ref["$ref"]
        if not target.startswith("#/"):
            raise ValueError(f"cross-file type ref {target!r} in {self.file}")
        return self.nodes[int(target[2:])]


class _DeclarationChecker:
    def __init__(self, file: str, text: str, declaration: _Declaration, declarations: list[_Declaration],
                 identifiers: frozenset[str], index: _TypeIndex) -> None:
        self.file = file
        self.text = text
        self.declaration = declaration
        self.declarations = declarations
        self.identifiers = identifiers
        self.index = index
        self.problems: list[BicepProblem] = []
        self.first_line = _line_of_offset(text, declaration.start)
        self.type_line = _line_of_offset(text, declaration.type_token.start)
        self.last_line = _line_of_offset(text, declaration.end)
        self.lines = text.split("\n")

    def report(self, line: int, code: str, message: str) -> None:
        self.problems.append(BicepProblem(self.file, line, code, message))

    def check(self, file_error_line: int | None) -> list[BicepProblem]:
        declaration = self.declaration
        for offset, code, message in declaration.problems:
            self.report(_line_of_offset(self.text, offset), code, message)
        if declaration.full_type is None or declaration.api_version is None:
            return self.problems
        if declaration.full_type.split("/", 1)[0].lower() not in self.index.namespaces:
            return self.problems  # the filtered index does not cover this provider: nothing to compare with
        type_line = self.type_line
        ref = self.index.ref(declaration.full_type, declaration.api_version)
        if ref is None:
            self.report(type_line, "BCP081", self._unknown_type_message())
            return self.problems
        relative_path, _, node_index = ref.partition("#/")
        nodes = _load_json(self.index.root / relative_path)
        if nodes is None:
            return self.problems  # the type exists, but its definitions are not kept here
        types = _Types(self.index.root / relative_path, nodes)
        resource = nodes[int(node_index)]
        if declaration.existing:
            return self.problems
        if resource.get("writableScopes", 31) == 0:
            self.report(type_line, "NOT_DEPLOYABLE", (
                f'Resource type "{declaration.full_type}@{declaration.api_version}" can only be referenced '
                "with 'existing' (its writableScopes is 0)."))
            return self.problems
        body = self._parse_body(file_error_line)
        if isinstance(body, dict):
            _BodyWalker(self, types).walk_resource_body(body, types.node(resource["body"]))
        return self.problems

    def _unknown_type_message(self) -> str:
        full_type, api_version = self.declaration.full_type, self.declaration.api_version
        message = f'Resource type "{full_type}@{api_version}" does not have types available.'
        versions = self.index.versions.get(str(full_type).lower())
        if not versions:
            return f"{message} The type itself is unknown."
        newest = sorted(set(versions), reverse=True)[:8]
        return f"{message} Known api-versions (newest first): {', '.join(newest)}."

    def _parse_body(self, file_error_line: int | None) -> Any:
        """pycep's config of this declaration alone (nested resources blanked, the full type filled in)."""
        unit = self._unit_text()
        try:
            parsed = _pycep_parse(unit)
        except _ParseTimeoutError:
            self.report(self.first_line, "PARSE", f"pycep gave up after {PARSE_TIMEOUT_SECONDS:g} s")
            return None
        except Exception as exc:  # see _pycep_error
            line = getattr(exc, "line", None)
            line = line if isinstance(line, int) and line > 0 else self.first_line
            if line != file_error_line:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                symbol = self.declaration.symbol
                self.report(line, "PARSE", f"pycep could not parse resource '{symbol}': {first}")
            return None
        resources = parsed.get("resources") or {}
        entry = resources.get(self.declaration.symbol) or next(iter(resources.values()), None)
        return _unwrap_resource_body(entry.get("config")) if isinstance(entry, dict) else None

    def _unit_text(self) -> str:
        declaration = self.declaration
        nested = [(other.start, other.end) for other in self.declarations
                  if declaration.start < other.start and other.end <= declaration.end]
        body = _blank_spans(self.text, declaration.start, declaration.end, nested)
        token = declaration.type_token
        head = body[: token.start - declaration.start]
        tail = body[token.end - declaration.start :]
        line_start = self.text.rfind("\n", 0, declaration.start) + 1
        padding = "\n" * (self.first_line - 1) + " " * (declaration.start - line_start)
        return f"{padding}{head}'{declaration.full_type}@{declaration.api_version}'{tail}"

    # Line numbers: pycep gives them only per declaration, so a property is found by its key in the text.
    def line_of(self, path: _Path, literal: str | None = None) -> int:
        line = self.first_line
        for key in path:
            if isinstance(key, str):
                line = self._find(_key_pattern(key), line) or line
        if literal is not None:
            line = self._find(re.compile(re.escape(f"'{literal}'")), line) or line
        return line

    def _find(self, pattern: re.Pattern[str], from_line: int) -> int | None:
        for number in range(from_line, min(self.last_line, len(self.lines)) + 1):
            if pattern.search(self.lines[number - 1]):
                return number
        return None

    def literal_string(self, value: Any) -> str | None:
        """`value` if pycep got it from a plain string literal (identifiers come out as strings too)."""
        if not isinstance(value, str) or "${" in value or "\\" in value or value in self.identifiers:
            return None
        return value


_KEY_PATTERNS: dict[str, re.Pattern[str]] = {}


def _key_pattern(key: str) -> re.Pattern[str]:
    if key not in _KEY_PATTERNS:
        _KEY_PATTERNS[key] = re.compile(rf"(?:^|[\s{{,])'?{re.escape(key)}'?\s*:(?!:)")
    return _KEY_PATTERNS[key]


def _blank_spans(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> str:
    """text[start:end] with the (absolute) spans replaced by spaces, keeping newlines so lines stay put."""
    chars = list(text[start:end])
    for span_start, span_end in spans:
        for offset in range(span_start - start, span_end - start):
            if chars[offset] not in "\r\n":
                chars[offset] = " "
    return "".join(chars)


def _line_of_offset(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _dotted(path: _Path) -> str:
    parts: list[str] = []
    for key in path:
        if isinstance(key, int):
            parts.append(f"[{key}]")
        else:
            parts.append(f".{key}" if parts else key)
    return "".join(parts) or "(resource body)"


def _listing(names: list[str]) -> str:
    shown = ", ".join(f'"{name}"' for name in names[:MAX_LISTED])
    return shown + (f" (+{len(names) - MAX_LISTED} more)" if len(names) > MAX_LISTED else "")


def _suggestion(wrong: str, candidates: list[str]) -> str | None:
    by_lower = {candidate.lower(): candidate for candidate in candidates}
    if wrong.lower() in by_lower:
        return by_lower[wrong.lower()]
    close = difflib.get_close_matches(wrong.lower(), list(by_lower), n=1, cutoff=0.6)
    return by_lower[close[0]] if close else None


class _BodyWalker:
    """Walks pycep's object literals against the type nodes of one types.json."""

    def __init__(self, checker: _DeclarationChecker, types: _Types) -> None:
        self.checker = checker
        self.types = types

    def walk_resource_body(self, body: dict[str, Any], node: dict[str, Any]) -> None:
        properties = self._object_properties(body, node)
        if properties is not None:
            written = {_clean_key(key) for key in body}
            missing = [name for name, prop in properties.items()
                       if prop.get("flags", 0) & FLAG_REQUIRED and not prop.get("flags", 0) & FLAG_READ_ONLY
                       and name not in written]
            if missing:
                self.checker.report(self.checker.type_line, "BCP035", (
                    f"The resource '{self.checker.declaration.symbol}' is missing the following required "
                    f"properties: {_listing(missing)}."))
        self.walk(body, node, (), top_level=True)

    def _object_properties(self, value: dict[str, Any], node: dict[str, Any]) -> dict[str, Any] | None:
        """The properties that apply to `value` when `node` is an object type whose members are known."""
        if node["$type"] == "ObjectType":
            return node.get("properties", {})
        if node["$type"] == "DiscriminatedObjectType":
            element = self._discriminated_element(value, node)
            if element is not None:
                return {**node.get("baseProperties", {}), **element.get("properties", {})}
        return None

    def _discriminated_element(self, value: dict[str, Any], node: dict[str, Any]) -> dict[str, Any] | None:
        written = {_clean_key(key): item for key, item in value.items()}
        selector = self.checker.literal_string(written.get(node["discriminator"]))
        if selector is None or selector not in node["elements"]:
            return None
        return self.types.node(node["elements"][selector])

    def walk(self, value: Any, node: dict[str, Any], path: _Path, top_level: bool = False) -> None:
        if value is None or _is_expression(value):
            return
        kind = node["$type"]
        if _is_loop(value):
            self._walk_loop(value, node, path)
        elif kind == "ObjectType" and isinstance(value, dict):
            self._walk_object(value, node.get("properties", {}), node.get("additionalProperties"),
                              node.get("name", "object"), path, top_level)
        elif kind == "DiscriminatedObjectType" and isinstance(value, dict):
            self._walk_discriminated(value, node, path, top_level)
        elif kind == "ArrayType" and isinstance(value, list):
            item_type = self.types.node(node["itemType"])
            for position, item in enumerate(value):
                self.walk(item, item_type, (*path, position))
        elif kind == "UnionType":
            self._walk_union(value, [self.types.node(ref) for ref in node["elements"]], path)
        elif kind == "StringLiteralType":
            self._check_enum(value, [node["value"]], path)

    def _walk_loop(self, loop: dict[str, Any], node: dict[str, Any], path: _Path) -> None:
        arrays = [node] if node["$type"] == "ArrayType" else [
            member for member in (self.types.node(ref) for ref in node.get("elements", []))
            if member["$type"] == "ArrayType"]
        if len(arrays) == 1:
            self.walk(loop["config"], self.types.node(arrays[0]["itemType"]), (*path, 0))

    def _walk_object(self, value: dict[str, Any], properties: dict[str, Any],
                     additional: dict[str, str] | None, type_name: str, path: _Path, top_level: bool) -> None:
        for raw_key, item in value.items():
            key = _clean_key(raw_key)
            if key is None or (top_level and key in BICEP_RESOURCE_KEYWORDS):
                continue
            prop = properties.get(key)
            if prop is None:
                if additional is not None:
                    self.walk(item, self.types.node(additional), (*path, key))
                else:
                    self._report_unknown_property(key, properties, type_name, path)
                continue
            if prop.get("flags", 0) & FLAG_READ_ONLY:
                self.checker.report(self.checker.line_of((*path, key)), "BCP073", (
                    f'{_dotted((*path, key))}: The property "{key}" is read-only. '
                    "Expressions cannot be assigned to read-only properties."))
                continue
            if prop.get("type") is not None:
                self.walk(item, self.types.node(prop["type"]), (*path, key))

    def _report_unknown_property(self, key: str, properties: dict[str, Any], type_name: str,
                                 path: _Path) -> None:
        writable = sorted(name for name, prop in properties.items()
                          if not prop.get("flags", 0) & FLAG_READ_ONLY)
        hint = _suggestion(key, writable)
        message = (f'{_dotted((*path, key))}: The property "{key}" is not allowed on objects of type '
                   f'"{type_name}".')
        if hint:
            message += f' Did you mean "{hint}"?'
        message += f" Permissible properties include {_listing(writable)}." if writable else ""
        self.checker.report(self.checker.line_of((*path, key)), "BCP037", message)

    def _walk_discriminated(self, value: dict[str, Any], node: dict[str, Any], path: _Path,
                            top_level: bool) -> None:
        discriminator = node["discriminator"]
        base = node.get("baseProperties", {})
        written = {_clean_key(key): item for key, item in value.items()}
        type_name = node.get("name", "object")
        if discriminator not in written:
            self.checker.report(self.checker.line_of(path), "BCP078", (
                f'{_dotted(path)}: The property "{discriminator}" requires a value of type '
                f"{' | '.join(repr(name) for name in sorted(node['elements']))}."))
        selector = written.get(discriminator)
        literal = self.checker.literal_string(selector)
        if literal is not None and literal in node["elements"]:
            element = self.types.node(node["elements"][literal])
            properties = {**base, **element.get("properties", {})}
            self._walk_object(value, properties, element.get("additionalProperties"),
                              element.get("name", type_name), path, top_level)
            return
        if literal is not None:  # a literal that names no variant: the other keys cannot be judged
            self._check_enum(literal, sorted(node["elements"]), (*path, discriminator))
            return
        # No usable discriminator: accept any variant's keys, but only descend where the type is certain.
        merged: dict[str, Any] = {}
        for ref in node["elements"].values():
            for name, prop in self.types.node(ref).get("properties", {}).items():
                merged.setdefault(name, {"flags": prop.get("flags", 0), "type": None})
        merged.update(base)
        self._walk_object(value, merged, None, type_name, path, top_level)

    def _walk_union(self, value: Any, members: list[dict[str, Any]], path: _Path) -> None:
        kinds = {member["$type"] for member in members}
        if "AnyType" in kinds:
            return
        if isinstance(value, str):
            if "StringType" not in kinds:
                literals = [member["value"] for member in members if member["$type"] == "StringLiteralType"]
                self._check_enum(value, literals, path)
            return
        if isinstance(value, dict) and not _is_loop(value):
            candidates = [m for m in members if m["$type"] in ("ObjectType", "DiscriminatedObjectType")]
        elif isinstance(value, list) or _is_loop(value):
            candidates = [m for m in members if m["$type"] == "ArrayType"]
        else:
            return
        if len(candidates) == 1:
            self.walk(value, candidates[0], path)
        elif candidates:  # any-of: fine if one member accepts; else report the closest member's problems
            trials = [self._trial(value, candidate, path) for candidate in candidates]
            if all(trials):
                self.checker.problems.extend(min(trials, key=len))

    def _trial(self, value: Any, node: dict[str, Any], path: _Path) -> list[BicepProblem]:
        saved = self.checker.problems
        self.checker.problems = []
        try:
            self.walk(value, node, path)
            return self.checker.problems
        finally:
            self.checker.problems = saved

    def _check_enum(self, value: Any, allowed: list[str], path: _Path) -> None:
        literal = self.checker.literal_string(value)
        if literal is None or not allowed or literal in allowed:
            return
        expected = " | ".join(f"'{name}'" for name in allowed[:MAX_LISTED])
        if len(allowed) > MAX_LISTED:
            expected += f" | ... (+{len(allowed) - MAX_LISTED} more)"
        message = (f"{_dotted(path)}: expected a value of type {expected} but the provided value is of type "
                   f"'{literal}'.")
        hint = _suggestion(literal, allowed)
        if hint:
            message += f" Did you mean '{hint}'?"
        self.checker.report(self.checker.line_of(path, literal), "BCP088", message)
