"""Small value types shared by every evidence collector."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Location:
    """Where a fact was found: a repo-relative POSIX path and a 1-based line, or an Azure resource id."""

    path: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True, order=True)
class Note:
    """A file the collector skipped or could not fully read, and why (shown in every report)."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True)
class Expr:
    """A value that is an expression in its source (a Bicep parameter, `${{ vars.X }}`, a
    Terraform reference) and could not be resolved to a literal. Checks treat it as unknown."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Resource:
    """An Azure resource, declared in infrastructure code or read from a live subscription.

    `body` is ARM-shaped: the keys of a Bicep resource declaration / ARM resource
    (`name`, `location`, `kind`, `sku`, `identity`, `properties`, ...). Values that are
    expressions are `Expr` instances. The same checks run on both sources.
    """

    type: str  # ARM type as written, e.g. "Microsoft.MachineLearningServices/workspaces"
    name: str
    body: dict
    location: Location  # file:line for code, the resource id for live resources
    api_version: str | None = None
    existing: bool = False  # a Bicep `existing` reference: used here, declared elsewhere
    source: str = "bicep"  # bicep | arm | terraform | azure

    @property
    def type_lower(self) -> str:
        return self.type.lower()
