"""Values in Azure ML YAML: template and shell expressions, flags, references to registered
assets (`azureml:name:version`...) and to local files, and the lines of loaded nodes."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Any

_EXPRESSION = re.compile(r"\$\{|\$\(|\{\{|\$[A-Za-z_]|#\{|%[A-Za-z_]+%")


def is_expression(value: str) -> bool:
    """True when *value* holds a template or shell expression (`${{ inputs.v }}`, `$VERSION`, `{{ v }}`)."""
    return bool(_EXPRESSION.search(value))


def is_true(value: Any) -> bool:
    """A YAML flag that Azure ML reads as true (`true`, `"True"`, `yes`...)."""
    if isinstance(value, bool):
        return value
    return isinstance(value, str | int) and str(value).strip().lower() in {"true", "t", "yes", "y", "on", "1"}


@dataclass(frozen=True)
class AssetRef:
    """A reference to a registered asset: `azureml:name:version`, `azureml:name@label`, `azureml:name`,
    or an `azureml://registries/.../models/<name>/versions/<v>` / ARM id form."""

    text: str
    name: str
    version: str | None = None
    label: str | None = None

    @property
    def is_pinned(self) -> bool:
        """Names one version (a literal, or an expression CI fills in), not a label or "latest"."""
        return bool(self.version) and self.version.lower() != "latest"

    @property
    def version_is_expression(self) -> bool:
        return bool(self.version) and is_expression(self.version)


_URI_ASSET = re.compile(
    r"/(?:models|data|environments|components)/(?P<name>[^/]+)"
    r"(?:/versions/(?P<version>[^/]+)|/labels/(?P<label>[^/]+))?/?$"
)


def parse_asset_ref(value: Any) -> AssetRef | None:
    """The registered asset *value* points at; None for local paths, URLs, datastore paths, job outputs."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text.lower().startswith("azureml:"):
        return None
    rest = text[len("azureml:"):]
    if rest.startswith("/"):  # azureml://registries/..., azureml://datastores/..., azureml:/subscriptions/...
        lowered = rest.lower()
        if "/datastores/" in lowered or "/jobs/" in lowered:
            return None
        match = _URI_ASSET.search(rest)
        return AssetRef(text, match["name"], match["version"], match["label"]) if match else None
    if "@" in rest:
        name, _, label = rest.partition("@")
        return AssetRef(text, name, label=label or None) if name else None
    name, _, version = rest.partition(":")
    return AssetRef(text, name, version=version or None) if name else None


def resolve_local_path(base_file: str, ref: Any) -> str | None:
    """The repo path of a local file reference (`./x.yml`, `file:../x.yml`) written in *base_file*.

    None for registered assets (`azureml:`), URLs, absolute paths and paths leaving the repository."""
    if not isinstance(ref, str):
        return None
    text = ref.strip()
    if text.startswith("file:"):
        text = text[len("file:"):]
    has_scheme = re.match(r"^[A-Za-z][\w+.-]*:", text) is not None  # azureml:, https:, abfss:, C:
    if not text or text.startswith(("/", "\\")) or has_scheme or is_expression(text):
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(base_file), text.replace("\\", "/")))
    if joined == ".." or joined.startswith("../"):
        return None
    return joined


def node_line(node: Any, key: Any = None) -> int:
    """The line of *key* in a loaded mapping, or of the node itself (0 when unknown)."""
    if key is not None and hasattr(node, "key_line"):
        return node.key_line(key)
    return getattr(node, "line", 0) or 0
