"""One way to call Azure Resource Manager: the azure-core pipeline every Azure SDK uses (bearer
token from the credential, retries of 408/429/5xx with backoff that honours Retry-After, bounded
connection and read timeouts), one pooled HTTPS session shared by the SDK clients, a bounded thread
pool for parallel calls, and failures turned into values the scan can record and go past.

Only GET requests leave this module and the SDK clients it makes, except the Azure Resource Graph
query (a read-only POST the Reader role allows): the scan never creates, changes or lists secrets.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from mlops_ladder import __version__
from mlops_ladder.assessment.evidence.azure.cloud import Cloud

T = TypeVar("T")


@dataclass(frozen=True)
class Settings:
    concurrency: int = 16  # parallel calls; ARM allows far more reads per minute than this makes
    connection_timeout: float = 10.0
    read_timeout: float = 60.0
    retries: int = 4  # per call, for 408/429/5xx and dropped connections
    backoff: float = 0.8  # seconds, doubled per retry (Retry-After wins when the server sends it)
    backoff_max: float = 30.0
    call_timeout: float = 180.0  # a call and all its retries
    max_job_pages: int = 2  # jobs are the one unbounded collection: the newest pages are enough


class CallFailed(Exception):
    """A call that still failed after its retries: the status (None: no answer) and Azure's code."""

    def __init__(self, status: int | None, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    @property
    def denied(self) -> bool:
        return self.status in (401, 403)

    @property
    def reason(self) -> str:
        status = f"{self.status} " if self.status else ""
        text = " ".join(self.message.split())
        text = text if len(text) <= 180 else text[:179] + "…"
        return f"{status}{self.code}: {text}" if text else f"{status}{self.code}"


class NoCredential(Exception):
    """No credential could give a token (not signed in): fatal, the scan cannot start."""


class Arm:
    """Calls to one cloud's Resource Manager with one credential. Thread-safe."""

    def __init__(
        self,
        credential: Any,
        cloud: Cloud,
        settings: Settings | None = None,
        on_call: Callable[[], None] | None = None,
    ) -> None:
        import requests
        from azure.core.pipeline import policies
        from azure.core.pipeline.transport import RequestsTransport
        from azure.mgmt.core import ARMPipelineClient
        from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy

        self.cloud = cloud
        self.settings = settings = settings or Settings()
        self.credential = _TokenCache(credential)
        self._on_call = on_call or (lambda: None)
        session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=settings.concurrency + 4)
        session.mount("https://", adapter)
        self._transport = RequestsTransport(
            session=session,
            session_owner=False,
            connection_timeout=settings.connection_timeout,
            read_timeout=settings.read_timeout,
        )
        self._client_options = {
            "transport": self._transport,
            "credential_scopes": [cloud.audience],
            "retry_total": settings.retries,
            "retry_backoff_factor": settings.backoff,
            "retry_backoff_max": settings.backoff_max,
            "timeout": settings.call_timeout,
            "connection_timeout": settings.connection_timeout,
            "read_timeout": settings.read_timeout,
            "user_agent": f"mlops-ladder/{__version__}",
            "raw_request_hook": lambda _request: self._on_call(),  # counts the SDK clients' calls too
        }
        self._pipeline = ARMPipelineClient(
            base_url=cloud.resource_manager,
            transport=self._transport,
            policies=[
                policies.RequestIdPolicy(),
                policies.HeadersPolicy(),
                policies.UserAgentPolicy(sdk_moniker=f"mlops-ladder/{__version__}"),
                policies.RetryPolicy(
                    retry_total=settings.retries,
                    retry_backoff_factor=settings.backoff,
                    retry_backoff_max=settings.backoff_max,
                    timeout=settings.call_timeout,
                ),
                ARMChallengeAuthenticationPolicy(self.credential, cloud.audience),
            ],
        )
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    # -- sign-in ---------------------------------------------------------------------------------
    def sign_in(self) -> None:
        """Get a token now, so that no credential at all is one clear error before any call."""
        from azure.core.exceptions import ClientAuthenticationError

        try:
            self.credential.get_token(self.cloud.audience)
        except ClientAuthenticationError as exc:
            raise NoCredential(_first_line(str(exc))) from None

    # -- REST --------------------------------------------------------------------------------------
    def get(self, path: str, api_version: str, params: dict | None = None) -> dict:
        """GET one ARM path (or a full nextLink URL) and return its JSON body."""
        url = path if path.startswith("https://") else self.cloud.resource_manager + path
        query = dict(params or {})
        if not path.startswith("https://"):
            query["api-version"] = api_version
        return self._send("GET", url + ("?" + urlencode(query) if query else ""))

    def list(
        self, path: str, api_version: str, params: dict | None = None, max_pages: int | None = None
    ) -> tuple[list[dict], bool]:
        """Every item of an ARM collection, following nextLink; (items, complete)."""
        items: list[dict] = []
        body = self.get(path, api_version, params)
        pages = 1
        while True:
            value = body.get("value") if isinstance(body, dict) else None
            if not isinstance(value, list):
                raise CallFailed(200, "MalformedResponse", f"{path}: the reply has no 'value' list")
            items.extend(v for v in value if isinstance(v, dict))
            link = body.get("nextLink")
            if not link:
                return items, True
            if max_pages is not None and pages >= max_pages:
                return items, False
            body = self.get(str(link), api_version)
            pages += 1

    def _send(self, method: str, url: str, content: str | None = None) -> dict:
        from azure.core.exceptions import (
            ClientAuthenticationError,
            HttpResponseError,
            ServiceRequestError,
            ServiceResponseError,
        )
        from azure.core.rest import HttpRequest

        headers = {"Accept": "application/json"}
        if content is not None:
            headers["Content-Type"] = "application/json"
        request = HttpRequest(method, url, headers=headers, content=content)
        self._on_call()
        try:
            response = self._pipeline.send_request(request)
        except ClientAuthenticationError as exc:
            if getattr(exc, "status_code", None) is None:
                raise NoCredential(_first_line(str(exc))) from None
            raise _failure(exc) from None
        except (ServiceRequestError, ServiceResponseError) as exc:
            raise CallFailed(None, "NoResponse", _first_line(str(exc)) or type(exc).__name__) from None
        except HttpResponseError as exc:
            raise _failure(exc) from None
        if response.status_code >= 400:
            raise _failure_from(response.status_code, response.text())
        try:
            return response.json()
        except ValueError:
            raise CallFailed(
                response.status_code, "MalformedResponse", "the reply is not valid JSON"
            ) from None

    # -- SDK clients ---------------------------------------------------------------------------
    def resource_client(self, subscription: str) -> Any:
        """azure-mgmt-resource's client for one subscription (resource groups, resources)."""
        from azure.mgmt.resource.resources import ResourceManagementClient

        return self._client(
            subscription,
            lambda: ResourceManagementClient(
                self.credential, subscription, base_url=self.cloud.resource_manager, **self._client_options
            ),
        )

    def graph_client(self) -> Any:
        """azure-mgmt-resourcegraph's client (Azure Resource Graph queries)."""
        from azure.mgmt.resourcegraph import ResourceGraphClient

        return self._client(
            "graph",
            lambda: ResourceGraphClient(
                self.credential,
                base_url=self.cloud.resource_manager,
                api_version="2024-04-01",
                **self._client_options,
            ),
        )

    def _client(self, key: str, make: Callable[[], Any]) -> Any:
        with self._lock:
            if key not in self._clients:
                self._clients[key] = make()
            return self._clients[key]

    def sdk_call(self, call: Callable[[], T]) -> T:
        """Run an SDK call (paging included), turning its failures into CallFailed / NoCredential."""
        from azure.core.exceptions import (
            ClientAuthenticationError,
            DecodeError,
            DeserializationError,
            HttpResponseError,
            ServiceRequestError,
            ServiceResponseError,
        )

        try:
            return call()
        except ClientAuthenticationError as exc:
            if getattr(exc, "status_code", None) is None:
                raise NoCredential(_first_line(str(exc))) from None
            raise _failure(exc) from None
        except (DecodeError, DeserializationError, ValueError) as exc:
            raise CallFailed(200, "MalformedResponse", _first_line(str(exc))) from None
        except (ServiceRequestError, ServiceResponseError) as exc:
            raise CallFailed(None, "NoResponse", _first_line(str(exc)) or type(exc).__name__) from None
        except HttpResponseError as exc:
            raise _failure(exc) from None

    # -- parallelism ---------------------------------------------------------------------------
    def run_all(self, tasks: Iterable[Callable[[], T]]) -> list[T]:
        """Run the tasks with at most `concurrency` at a time; results in the tasks' order."""
        tasks = list(tasks)
        if len(tasks) <= 1 or self.settings.concurrency <= 1:
            return [task() for task in tasks]
        with ThreadPoolExecutor(max_workers=min(self.settings.concurrency, len(tasks))) as pool:
            futures = [pool.submit(task) for task in tasks]
            return [future.result() for future in futures]

    def close(self) -> None:
        self._transport.close()


class _TokenCache:
    """Shares one token per scope between the SDK clients (AzureCliCredential runs `az` per token)."""

    def __init__(self, credential: Any) -> None:
        self._credential = credential
        self._tokens: dict[tuple, Any] = {}
        self._lock = threading.Lock()

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        key = (scopes, kwargs.get("tenant_id"), kwargs.get("claims"))
        with self._lock:
            token = self._tokens.get(key)
            if token is None or token.expires_on - 300 < time.time():
                token = self._credential.get_token(*scopes, **kwargs)
                self._tokens[key] = token
            return token

    def close(self) -> None:
        close = getattr(self._credential, "close", None)
        if close:
            close()


def _failure(exc: Any) -> CallFailed:
    status = getattr(exc, "status_code", None)
    error = getattr(exc, "error", None)
    code = getattr(error, "code", None) or getattr(exc, "reason", None) or "HttpError"
    message = getattr(error, "message", None) or _first_line(str(getattr(exc, "message", "") or exc))
    return CallFailed(status, str(code), str(message))


def _failure_from(status: int, text: str) -> CallFailed:
    import json

    code, message = "HttpError", ""
    try:
        error = json.loads(text).get("error") or {}
        code, message = error.get("code") or code, error.get("message") or ""
    except (ValueError, AttributeError):
        message = text[:200]
    return CallFailed(status, str(code), str(message))


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")
