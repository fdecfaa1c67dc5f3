"""The HTTPS server: Resource Manager routes over an Estate, Resource Graph queries, cloud metadata,
paging, injected faults and a record of every request (and of every forbidden one)."""

from __future__ import annotations

import json
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.azure_emulator.certs import make_certificate
from tests.azure_emulator.estate import Estate
from tests.azure_emulator.fake_az import TOKEN

FORBIDDEN_SEGMENTS = (
    "listkeys",
    "listsecrets",
    "listcredentials",
    "listconnectionstrings",
    "regeneratekey",
    "listadminkeys",
    "listquerykeys",
    "getsecret",
)
ENVELOPE = ("id", "name", "type", "kind", "location", "tags", "sku", "identity", "managedBy", "plan")


@dataclass
class Fault:
    """Answer requests whose path contains `match` (case-insensitive) with a fault, `times` times
    (None: always). status 0 means "answer normally, but after `delay` seconds"."""

    match: str
    status: int = 403
    times: int | None = None
    retry_after: int | None = None
    delay: float = 0.0
    malformed: bool = False
    code: str = "AuthorizationFailed"
    hits: int = 0


@dataclass
class Request:
    method: str
    path: str
    query: dict


@dataclass
class Emulator:
    estate: Estate
    folder: Path
    latency: float = 0.0
    page_size: int = 50
    faults: list[Fault] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)

    def start(self) -> Emulator:
        self.cert, key = make_certificate(self.folder)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, key)
        handler = type("Handler", (_Handler,), {"emulator": self})
        self._server = _TLSServer(("127.0.0.1", 0), handler, context)
        self.url = f"https://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fault(self, match: str, **kwargs) -> Fault:
        fault = Fault(match.lower(), **kwargs)
        self.faults.append(fault)
        return fault

    def paths(self, method: str = "GET") -> list[str]:
        return [r.path for r in self.requests if r.method == method]


class _TLSServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address, handler, context: ssl.SSLContext) -> None:
        super().__init__(address, handler)
        self.context = context

    def finish_request(self, request, client_address) -> None:  # the TLS handshake in the worker thread
        try:
            request = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        super().finish_request(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Azure
    disable_nagle_algorithm = True  # headers and body leave at once (no 40 ms delayed-ACK stalls)
    emulator: Emulator

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_PATCH(self) -> None:
        self._serve("PATCH")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    # -- dispatch -------------------------------------------------------------------------------
    def _serve(self, method: str) -> None:
        emu = self.emulator
        parts = urlsplit(self.path)
        path, query = parts.path.rstrip("/"), {k: v[-1] for k, v in parse_qs(parts.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        emu.requests.append(Request(method, path, query))
        if emu.latency:
            time.sleep(emu.latency)
        lower = path.lower()
        if path == "/metadata/endpoints":
            return self._json(
                200,
                [
                    {
                        "name": "Emulator",
                        "resourceManager": emu.url,
                        "authentication": {
                            "loginEndpoint": "https://login.emulator.invalid/",
                            "audiences": [emu.url],
                        },
                    }
                ],
            )
        is_graph = method == "POST" and lower == "/providers/microsoft.resourcegraph/resources"
        if (method != "GET" and not is_graph) or any(f"/{s}" in lower for s in FORBIDDEN_SEGMENTS):
            emu.violations.append(f"{method} {path}")
            return self._error(500, "ForbiddenByTest", f"the scan must not call {method} {path}")
        if "api-version" not in query:
            emu.violations.append(f"{method} {path} without api-version")
            return self._error(400, "MissingApiVersion", "api-version is required")
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._error(401, "InvalidAuthenticationToken", "no valid bearer token")
        for fault in emu.faults:
            if fault.match in lower and (fault.times is None or fault.hits < fault.times):
                fault.hits += 1
                if fault.delay:
                    time.sleep(fault.delay)
                if fault.malformed:
                    return self._raw(200, b'{"value": [{"id": "/subscriptions/trunc')
                if fault.status:
                    headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
                    return self._error(
                        fault.status, fault.code, f"injected {fault.status} for {path}", headers
                    )
        if is_graph:
            return self._json(200, self._graph(json.loads(body or b"{}")))
        return self._get(path, lower, query)

    def _get(self, path: str, lower: str, query: dict) -> None:
        estate = self.emulator.estate
        segments = lower.strip("/").split("/")
        if len(segments) == 2 and segments[0] == "subscriptions":
            found = estate.subscriptions.get(segments[1])
            return (
                self._json(200, found)
                if found
                else self._error(
                    404, "SubscriptionNotFound", f"The subscription '{segments[1]}' could not be found."
                )
            )
        if len(segments) == 3 and segments[2] == "resourcegroups":
            prefix = f"/subscriptions/{segments[1]}/"
            return self._page(path, query, [g for k, g in estate.groups.items() if k.startswith(prefix)])
        if len(segments) == 4 and segments[2] == "resourcegroups":
            found = estate.groups.get(lower)
            return (
                self._json(200, found)
                if found
                else self._error(
                    404, "ResourceGroupNotFound", f"Resource group '{segments[3]}' could not be found."
                )
            )
        if segments[-1] == "resources" and len(segments) in (3, 5):
            return self._page(
                path,
                query,
                [{k: r[k] for k in ENVELOPE if k in r} for r in estate.resources_in(lower.rsplit("/", 1)[0])],
            )
        if lower in estate.collections:
            return self._page(path, query, estate.collections[lower])
        if lower in estate.resources:
            return self._json(200, estate.resources[lower])
        if (
            segments[-1]
            in ("policyassignments", "roleassignments", "budgets", "diagnosticsettings", "eventsubscriptions")
            or len(segments) % 2 == 1
        ):
            return self._page(path, query, [])  # an empty collection
        return self._error(404, "ResourceNotFound", f"The resource '{path}' was not found.")

    def _page(self, path: str, query: dict, items: list[dict]) -> None:
        start = int(query.get("$skiptoken", 0))
        size = self.emulator.page_size
        body: dict = {"value": items[start : start + size]}
        if start + size < len(items):
            next_query = {"api-version": query["api-version"], "$skiptoken": str(start + size)}
            body["nextLink"] = f"{self.emulator.url}{path}?{urlencode(next_query)}"
        return self._json(200, body)

    def _graph(self, request: dict) -> dict:
        estate = self.emulator.estate
        wanted = {s.lower() for s in request.get("subscriptions") or []}
        for group in request.get("managementGroups") or []:
            wanted |= {s.lower() for s in estate.management_groups.get(group, [])}
        options = request.get("options") or {}
        text = str(request.get("query", "")).strip().lower()
        if text.startswith("resourcecontainers"):
            rows = [
                {"subscriptionId": s["subscriptionId"], "name": s["displayName"]}
                for key, s in estate.subscriptions.items()
                if key in wanted
            ]
        else:
            rows = []
            for body in estate.resources.values():
                sub = estate.subscription_of(body["id"])
                if sub in wanted:
                    row = {k: body.get(k) for k in (*ENVELOPE, "properties")}
                    row.update(
                        type=body["type"].lower(),
                        subscriptionId=sub,
                        resourceGroup=body["id"].split("/")[4].lower(),
                    )
                    rows.append(row)
        start = int(options.get("$skipToken") or 0)
        top = int(options.get("$top") or 100)
        page = rows[start : start + top]
        reply = {
            "totalRecords": len(rows),
            "count": len(page),
            "data": page,
            "facets": [],
            "resultTruncated": "false",
        }
        if start + top < len(rows):
            reply["$skipToken"] = str(start + top)
        return reply

    # -- replies --------------------------------------------------------------------------------
    def _error(self, status: int, code: str, message: str, headers: dict | None = None) -> None:
        self._json(status, {"error": {"code": code, "message": message}}, headers)

    def _json(self, status: int, body: object, headers: dict | None = None) -> None:
        self._raw(status, json.dumps(body).encode(), headers)

    def _raw(self, status: int, data: bytes, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
