"""The template view: a repository that is a project template is read as the project it generates.

A project template (cookiecutter, copier, a Databricks bundle template) keeps its workflows,
Python and YAML under templated paths (`{{cookiecutter.project_slug}}/src/train.py`,
`.github/workflows/{{.input_project_name}}-ci.yml.tmpl`) and with template expressions in the
text, so no collector would read them. When the repository holds a template manifest, its
template files are also listed at their *rendered path*, and reading that path gives the text
with every expression replaced by a neutral placeholder, so that YAML and Python parse.

* Manifests (MANIFESTS): `cookiecutter.json`, `copier.yml` / `copier.yaml`,
  `databricks_template_schema.json`. Their folder is the template's scope; the outermost wins.
  Without a manifest nothing changes: `.tmpl` or `.j2` files of an ordinary repository stay as
  they are.
* Template files: names ending with a template suffix (`.tmpl`, `.jinja`, `.jinja2`, `.j2`), and
  every file below a folder whose name holds an expression (cookiecutter's project folder).
* Rendered path: the path below the folder the generator renders (Databricks: `template/`,
  copier: its `_subdirectory`) and below the project folder that cookiecutter and Databricks
  create there, named by an expression (`{{cookiecutter.project_slug}}/`,
  `template/{{.input_root_dir}}/`); an expression inside a name becomes its placeholder
  (`{{.input_project_name}}-ci.yml.tmpl` -> `input_project_name-ci.yml`) and the template suffix
  goes. A rendered path that is already a file of the repository keeps the real file.
* Which files hold expressions: `.tmpl` files (Go templates), `.jinja` / `.j2` files (Jinja), and
  in a cookiecutter template every file of the project folder (Jinja); other files of a
  Databricks or copier template are copied as written, so they are listed but not rewritten.
* Text (`neutral_text`): an output expression becomes the last name of its first term
  (`{{ .input_project_name }}` -> `input_project_name`, `{{ cookiecutter.repo | lower }}` ->
  `repo`, `{{template "model_name" .}}` -> `model_name`); an expression that is only a string
  literal outputs the literal (`{{`${{ secrets.TOKEN }}`}}`, `{{ '${{' }}`); control actions
  (`{{ if }}`, `{{ end }}`, `{% for %}`) and comments disappear, and each condition is read as
  its first branch: the text of `else` / `elif` branches is left out (two branches would give
  a YAML key twice); a loop's body is read once; `{% raw %}` blocks stay as written. Line
  numbers do not change.

What still fails to parse (a condition that leaves two values for one key, a loop that builds
YAML) gets the parser's usual note, on the template file.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass

MANIFESTS = {
    "cookiecutter.json": "jinja",
    "copier.yml": "copier",
    "copier.yaml": "copier",
    "databricks_template_schema.json": "go",
}
# The folder each generator renders, below the manifest's folder (copier: its _subdirectory).
_RENDERED_FOLDER = {"databricks_template_schema.json": "template"}
TEMPLATE_SUFFIXES = (".tmpl", ".jinja2", ".jinja", ".j2")
_EXPRESSION = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
_WHOLE_EXPRESSION = re.compile(r"^\s*(\{\{.*\}\}|\{%.*%\})\s*$")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_GO_CONTROL = frozenset({"if", "else", "end", "range", "with", "define", "block", "break", "continue"})
_SUBDIRECTORY = re.compile(r"^_subdirectory:\s*['\"]?([^'\"#\s]+)", re.M)


@dataclass(frozen=True)
class TemplateScope:
    folder: str  # repo path of the manifest's folder ("" for the root)
    manifest: str
    flavour: str  # "go" | "jinja" | "copier"
    base: str = ""  # the folder the generator renders, below `folder` (Databricks: template/)


@dataclass(frozen=True)
class RenderedFile:
    path: str  # the rendered repo path
    source: str  # the template file it comes from
    templated: bool  # its text holds template expressions (read through neutral_text)
    flavour: str


def find_scopes(manifests: list[str], read: Callable[[str], str | None]) -> list[TemplateScope]:
    """The template scopes of the repository, from the paths of its manifest files (outermost first).
    *read* gives a file's text (for copier's _subdirectory)."""
    scopes: list[TemplateScope] = []
    # Outermost first; in one folder, a generator's own manifest before cookiecutter.json.
    order = sorted(manifests, key=lambda p: (p.count("/"), posixpath.basename(p) == "cookiecutter.json", p))
    for path in order:
        folder = posixpath.dirname(path)
        if any(_inside(folder, s.folder) for s in scopes):
            continue  # a template inside a template: part of the outer one
        flavour = MANIFESTS[posixpath.basename(path)]
        base = _RENDERED_FOLDER.get(posixpath.basename(path), "")
        if flavour == "copier":
            match = _SUBDIRECTORY.search(read(path) or "")
            base = match.group(1).strip("/") if match and "{" not in match.group(1) else ""
        scopes.append(TemplateScope(folder, path, flavour, base))
    return scopes


def _inside(path: str, folder: str) -> bool:
    return folder == "" or path == folder or path.startswith(folder + "/")


def rendered_file(path: str, scope: TemplateScope) -> RenderedFile | None:
    """Where the generated project has *path* (a file of *scope*), or None when it is not a template file."""
    rel = path[len(scope.folder) + 1 :] if scope.folder else path
    parts = rel.split("/")
    folders, name = parts[:-1], parts[-1]
    suffix = next((s for s in TEMPLATE_SUFFIXES if name.lower().endswith(s) and len(name) > len(s)), None)
    expression_folder = next((i for i, f in enumerate(folders) if "{{" in f or "{%" in f), None)
    if suffix is None and expression_folder is None:
        return None
    if scope.base and rel.startswith(scope.base + "/"):
        folders = folders[scope.base.count("/") + 1 :]
    # cookiecutter and Databricks create the project in a folder named by an expression
    if scope.flavour != "copier" and folders and _WHOLE_EXPRESSION.match(folders[0]):
        folders = folders[1:]
    if suffix is not None:
        name = name[: -len(suffix)]
    rendered = [_render_name(segment) for segment in (*folders, name)]
    if not all(rendered) or any(segment in (".", "..") for segment in rendered):
        return None
    # Go templates are `.tmpl` files, Jinja ones `.jinja`/`.j2`; cookiecutter renders every file.
    if suffix == ".tmpl":
        templated, flavour = True, "go"
    elif suffix is not None:
        templated, flavour = True, "jinja"
    else:
        templated, flavour = scope.flavour == "jinja", "jinja"
    prefix = scope.folder + "/" if scope.folder else ""
    return RenderedFile(prefix + "/".join(rendered), path, templated, flavour)


def _render_name(segment: str) -> str:
    return _EXPRESSION.sub(lambda m: _placeholder(m.group(0)), segment).strip()


def _placeholder(action: str) -> str:
    """The placeholder for one `{{ ... }}` action: the last name of its first term."""
    inner = action[2:-2].strip().strip("-").strip()
    literal = _string_literal(inner)
    if literal is not None:
        return literal
    words = inner.split(None, 1)
    if words and words[0] == "template" and len(words) > 1:
        quoted = _string_literal(words[1].rsplit(None, 1)[0] if " " in words[1] else words[1])
        if quoted:
            return re.sub(r"\W", "_", quoted)
    first = re.split(r"[\s|(),]+", inner.lstrip("($."), maxsplit=1)[0]
    names = _NAME.findall(first)
    return names[-1] if names else "placeholder"


def _string_literal(text: str) -> str | None:
    """The value of *text* when it is exactly one string literal (`"x"`, `'x'`, or a Go raw `x`)."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "`'\"":
        body = text[1:-1]
        if text[0] not in body:
            return body
    return None


# -- the text ------------------------------------------------------------------------------------------


def neutral_text(text: str, flavour: str) -> str:
    """*text* with template actions replaced (see the module docstring); same number of lines."""
    out: list[str] = []
    branches: list[bool] = []  # for each open block: whether its text is skipped (an else branch)
    position, length = 0, len(text)
    while position < length:
        start = _next_action(text, position, flavour)
        if start < 0:
            out.append(_kept(text[position:], branches))
            break
        out.append(_kept(text[position:start], branches))
        opener = text[start : start + 2]
        end = _action_end(text, start, opener)
        if end < 0:  # an action that never closes: the rest as written
            out.append(_kept(text[start:], branches))
            break
        action = text[start:end]
        if flavour == "jinja" and opener == "{%" and _is_raw(action):
            raw_end = re.compile(r"\{%-?\s*endraw\s*-?%\}").search(text, end)
            stop = raw_end.start() if raw_end else length
            out.append(_kept(text[end:stop], branches))
            position = raw_end.end() if raw_end else length
            continue
        _follow_blocks(action, opener, branches)
        out.append(_kept(_replacement(action, opener, flavour), branches))
        position = end
    return "".join(out)


_GO_BLOCKS = frozenset({"if", "range", "with", "define", "block"})
_JINJA_BLOCKS = frozenset({"if", "for", "macro", "call", "filter", "autoescape", "block", "with"})


def _follow_blocks(action: str, opener: str, branches: list[bool]) -> None:
    """Track the blocks an action opens and closes: after `else` / `elif` (and Go's `else if`) the
    block's text is skipped, so each condition reads as its first branch."""
    word = (action[2:-2].strip().strip("-").strip().split(None, 1) or [""])[0]
    if opener == "{{":  # Go templates
        opens, middle, closes = word in _GO_BLOCKS, word == "else", word == "end"
    elif opener == "{%":  # Jinja
        opens = word in _JINJA_BLOCKS or (word == "set" and "=" not in action)
        middle, closes = word in ("else", "elif"), word.startswith("end")
    else:
        return
    if opens:
        branches.append(False)
    elif middle and branches:
        branches[-1] = True
    elif closes and branches:
        branches.pop()


def _kept(text: str, branches: list[bool]) -> str:
    """*text*, or only its line breaks inside a skipped branch."""
    return "\n" * text.count("\n") if any(branches) else text


def _next_action(text: str, position: int, flavour: str) -> int:
    candidates = [text.find("{{", position)]
    if flavour == "jinja":
        candidates += [text.find("{%", position), text.find("{#", position)]
    found = [c for c in candidates if c >= 0]
    return min(found) if found else -1


def _action_end(text: str, start: int, opener: str) -> int:
    """The index just after the action that starts at *start*, honouring string literals inside it."""
    closer = {"{{": "}}", "{%": "%}", "{#": "#}"}[opener]
    comment = re.match(r"\{\{-?\s*/\*", text[start : start + 8])
    if opener == "{#" or comment:  # comments hold prose (apostrophes), not string literals
        found = text.find("*/" if comment else "#}", start + 2)
        found = text.find(closer, found) if found >= 0 else -1
        return found + 2 if found >= 0 else -1
    index, quote = start + 2, None
    while index < len(text):
        char = text[index]
        if quote:
            if char == quote:
                quote = None
        elif char in "`'\"":
            quote = char
        elif text.startswith(closer, index):
            return index + 2
        index += 1
    return -1


def _is_raw(action: str) -> bool:
    return action[2:-2].strip().strip("-").strip() == "raw"


def _replacement(action: str, opener: str, flavour: str) -> str:
    newlines = "\n" * action.count("\n")  # line numbers stay where they were
    if opener in ("{%", "{#"):
        return newlines
    inner = action[2:-2].strip().strip("-").strip()
    if inner.startswith("/*") or (flavour == "go" and (inner.split(None, 1) or [""])[0] in _GO_CONTROL):
        return newlines
    literal = _string_literal(inner)
    if literal is not None:
        return literal
    return _placeholder(action) + newlines
