"""Where a piece of evidence can be opened: the repository's web page at the assessed commit (GitHub,
GitLab, Azure DevOps), else the file on this machine. Used by the HTML and Markdown renderers."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from mlops_ladder.assessment.report import Target

_LOCATION = re.compile(r"^(?P<path>[^:]+?)(?::(?P<line>\d+))?$")
_SCP = re.compile(r"^(?:[\w.-]+@)?(?P<host>[\w.-]+):(?P<path>(?!//).+)$")  # git@github.com:owner/name.git


def web_address(remote_url: str | None) -> str | None:
    """The https address of a git remote, without credentials or `.git`; None when it has none
    (a local path, an unknown scheme)."""
    if not remote_url:
        return None
    url = remote_url.strip()
    match = _SCP.match(url) if "://" not in url else None
    if match:
        host, path = match["host"], match["path"]
    elif url.startswith(("https://", "http://", "ssh://", "git://")):
        rest = url.split("://", 1)[1]
        authority, _, path = rest.partition("/")
        host = authority.rsplit("@", 1)[-1].split(":")[0]  # drop user:token@ and a port
    else:
        return None
    path = path.strip("/").removesuffix(".git")
    azure_ssh = host == "ssh.dev.azure.com" or host.endswith("vs-ssh.visualstudio.com")
    if azure_ssh and path.count("/") == 3 and path.startswith("v3/"):  # v3/org/project/repo
        org, project, name = path[3:].split("/")
        return f"https://dev.azure.com/{org}/{project}/_git/{name}"
    if not path or not host:
        return None
    return f"https://{host}/{path}"


def split_location(location: str) -> tuple[str, int | None] | None:
    """(repo-relative path, line) of a `path:line` evidence location; None for an Azure resource id."""
    if location.startswith("/subscriptions/") or "://" in location:
        return None
    match = _LOCATION.match(location)
    if not match:
        return None
    return match["path"], int(match["line"]) if match["line"] else None


def file_link(target: Target, location: str) -> str | None:
    """A link that opens *location* (path:line) at the assessed commit, or the local file."""
    parsed = split_location(location)
    if parsed is None:
        return None
    path, line = parsed
    in_repo = target.prefix + path
    remote = target.remote
    if remote and target.commit:
        if "dev.azure.com" in remote or "visualstudio.com" in remote:
            link = f"{remote}?path=/{quote(in_repo)}&version=GC{target.commit}"
            return link + (f"&line={line}&lineEnd={line}&lineStartColumn=1&lineEndColumn=1" if line else "")
        return f"{remote}/blob/{target.commit}/{quote(in_repo)}" + (f"#L{line}" if line else "")
    local = Path(target.path) / path
    return local.as_uri() + (f"#L{line}" if line else "") if local.is_absolute() else None
