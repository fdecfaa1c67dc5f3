"""Which Azure cloud to talk to: the public cloud, a sovereign cloud (`--cloud`) or a custom Resource
Manager endpoint (Azure Stack Hub, an emulator), as the Azure CLI's `az cloud` allows."""

from __future__ import annotations

from dataclasses import dataclass

from mlops_ladder.errors import BadInputError, UsageError


@dataclass(frozen=True)
class Cloud:
    name: str
    resource_manager: str  # https://management.azure.com, no trailing slash
    audience: str  # the token scope for Resource Manager calls
    authority: str | None  # the sign-in host, None for the credential's default


CLOUDS = {
    "AzureCloud": Cloud(
        "AzureCloud",
        "https://management.azure.com",
        "https://management.azure.com/.default",
        "login.microsoftonline.com",
    ),
    "AzureUSGovernment": Cloud(
        "AzureUSGovernment",
        "https://management.usgovcloudapi.net",
        "https://management.usgovcloudapi.net/.default",
        "login.microsoftonline.us",
    ),
    "AzureChinaCloud": Cloud(
        "AzureChinaCloud",
        "https://management.chinacloudapi.cn",
        "https://management.chinacloudapi.cn/.default",
        "login.chinacloudapi.cn",
    ),
}


def resolve_cloud(name: str | None, endpoint: str | None, *, timeout: float = 10.0) -> Cloud:
    """The cloud named by `--cloud`, or the one behind a custom endpoint (`--resource-manager-endpoint`,
    which the CLI also takes from AZURE_RESOURCE_MANAGER_ENDPOINT). A custom endpoint is asked for
    its metadata (the token audience and sign-in host), as `az cloud register` does."""
    if endpoint:
        if name and name != "AzureCloud":
            raise UsageError(
                f"--cloud {name} and a custom Resource Manager endpoint {endpoint} were both given",
                hint="give one of them",
            )
        return _custom_cloud(endpoint.rstrip("/"), timeout)
    key = next((k for k in CLOUDS if k.lower() == (name or "AzureCloud").lower()), None)
    if key is None:
        raise UsageError(
            f"--cloud {name}: unknown cloud",
            hint=f"use one of {', '.join(CLOUDS)}, or --resource-manager-endpoint for Azure Stack",
        )
    return CLOUDS[key]


def _custom_cloud(endpoint: str, timeout: float) -> Cloud:
    if not endpoint.startswith("https://"):
        raise BadInputError(
            f"{endpoint}: a Resource Manager endpoint must be an https:// URL",
            hint="Azure sends tokens only over TLS",
        )
    import requests  # a dependency of azure-core; unauthenticated metadata, like `az cloud register`

    audience, authority = f"{endpoint}/.default", None
    try:
        reply = requests.get(
            f"{endpoint}/metadata/endpoints", params={"api-version": "2022-09-01"}, timeout=timeout
        )
        metadata = reply.json() if reply.ok else None
    except (requests.RequestException, ValueError):
        metadata = None
    if isinstance(metadata, list):  # 2022-09-01: a list of clouds; take the one at this endpoint
        metadata = next(
            (
                m
                for m in metadata
                if isinstance(m, dict) and str(m.get("resourceManager", "")).rstrip("/") == endpoint
            ),
            None,
        )
    authentication = metadata.get("authentication") if isinstance(metadata, dict) else None
    if isinstance(authentication, dict):
        audiences = authentication.get("audiences") or []
        if audiences and isinstance(audiences[0], str):
            audience = audiences[0].rstrip("/") + "/.default"
        login = authentication.get("loginEndpoint")
        if isinstance(login, str) and login.startswith("https://"):
            authority = login.removeprefix("https://").strip("/").split("/")[0]
    return Cloud("custom", endpoint, audience, authority)
