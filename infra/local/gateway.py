"""The local API Gateway: HTTP requests in, API Gateway REST proxy events out.

Routing comes from shared/routes.py, the same table the CDK API is built from.
"""
from __future__ import annotations

import base64
import json
import os
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from infra.local.lambdas import Functions
from shared import routes, web
from shared.api.errors import body as error_body


class _Server(ThreadingHTTPServer):
    # http.server's listen backlog is 5: a burst of clients connecting at once (twenty parallel
    # requests) saw connections reset before a thread could accept them. API Gateway takes them all.
    request_queue_size = 128


def is_binary(content_type: str) -> bool:
    media = content_type.split(";")[0].strip().lower()
    return media in routes.BINARY_MEDIA_TYPES


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


KNOWN_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD")


def build_event(method: str, raw_path: str, headers: list[tuple[str, str]], body: bytes,
                source_ip: str = "127.0.0.1", host: str = "127.0.0.1") -> tuple[str | None, dict]:
    """(function, event) for one request; function is None when no resource matches."""
    url = urlsplit(raw_path)
    match = routes.gateway_match(url.path)  # as API Gateway matches the CDK app's resources
    resource, function, path_params = match if match else (url.path, None, {})
    query = parse_qsl(url.query, keep_blank_values=True)
    multi_query: dict[str, list[str]] = {}
    for k, v in query:
        multi_query.setdefault(k, []).append(v)
    multi_headers: dict[str, list[str]] = {}
    for k, v in headers:
        multi_headers.setdefault(k, []).append(v)
    single_headers = {k: v[-1] for k, v in multi_headers.items()}
    content_type = next((v for k, v in single_headers.items() if k.lower() == "content-type"), "")
    # As API Gateway does for binary media types; and for a body that is not UTF-8, which a
    # text event cannot carry unchanged (the function then sees the bytes it was sent).
    binary = bool(body) and (is_binary(content_type) or not _is_utf8(body))
    event = {
        "resource": resource,
        "path": url.path,
        "httpMethod": method,
        "headers": single_headers or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": path_params or None,
        "stageVariables": None,
        "requestContext": {
            "resourceId": "local",
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/local{url.path}",
            "stage": "local",
            "requestId": str(uuid.uuid4()),
            "requestTimeEpoch": int(time.time() * 1000),
            "protocol": "HTTP/1.1",
            "domainName": host,
            "apiId": "local",
            "accountId": "000000000000",
            "identity": {"sourceIp": source_ip, "userAgent": single_headers.get("User-Agent")},
        },
        "body": (base64.b64encode(body).decode() if binary else body.decode("utf-8")) if body else None,
        "isBase64Encoded": binary,
    }
    return function, event


def response_parts(result: dict) -> tuple[int, list[tuple[str, str]], bytes]:
    headers: dict[str, list[str]] = {}
    for k, v in (result.get("headers") or {}).items():
        headers[k] = [str(v)]
    for k, vs in (result.get("multiValueHeaders") or {}).items():
        headers[k] = [str(v) for v in vs]
    raw = result.get("body") or ""
    payload = base64.b64decode(raw) if result.get("isBase64Encoded") else raw.encode()
    return int(result.get("statusCode", 200)), [(k, v) for k, vs in headers.items() for v in vs], payload


def _json_error(status: int, message: str, code: str) -> tuple[int, list[tuple[str, str]], bytes]:
    return status, [("Content-Type", "application/json")], json.dumps(error_body(status, message, code)).encode()


def static_page(method: str, path: str) -> tuple[int, list[tuple[str, str]], bytes] | None:
    """The web page's files, read from web/ on every request (edit and reload), as CloudFront
    serves them from the bucket in the cloud; None for any other path."""
    file = web.file_for(path)
    if file is None:
        return None
    if method not in ("GET", "HEAD"):
        return _json_error(405, f"Method {method} is not allowed", "method_not_allowed")
    if not file.is_file():
        return _json_error(404, "No such resource", "not_found")
    # Presigned upload URLs point at the embedded S3 (the same endpoint every client here is given).
    uploads = tuple(o for o in (os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL"),) if o)
    headers = [("Content-Type", web.CONTENT_TYPES[file.suffix]), ("Cache-Control", "no-cache"),
               *web.page_headers(uploads).items()]
    return 200, headers, file.read_bytes()


class Gateway:
    def __init__(self, functions: Functions, host: str, port: int, log=print):
        self.functions = functions
        self.log = log
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # The headers and the body are two writes: with Nagle's algorithm the body waited for the client's
            # delayed ACK of the headers, 40 ms on every answer (bench/request_overhead.py p50: 56.0 -> 9.9 ms).
            disable_nagle_algorithm = True

            def _serve(self):
                started = time.perf_counter()
                status, headers, payload = gateway.dispatch(self)
                self.send_response(status)
                for k, v in headers:
                    if k.lower() not in ("content-length", "connection", "transfer-encoding"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)
                # The path only: a query string may carry a token (?api_key=...) that a log must not keep.
                gateway.log(f"{self.command} {urlsplit(self.path).path} -> {status} "
                            f"({(time.perf_counter() - started) * 1000:.0f} ms)")

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _serve

            def __getattr__(self, name):  # TRACE, CONNECT, anything else: a JSON 405, not http.server's 501
                if name.startswith("do_"):
                    return self._serve
                raise AttributeError(name)

            def log_message(self, *args):  # the gateway logs one line per request itself
                pass

        self.server = _Server((host, port), Handler)
        self.server.daemon_threads = True

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def dispatch(self, request: BaseHTTPRequestHandler) -> tuple[int, list[tuple[str, str]], bytes]:
        if request.command not in KNOWN_METHODS:
            request.close_connection = True
            allowed = routes.methods_for((routes.match_path(urlsplit(request.path).path) or ("",))[0])
            status, headers, payload = _json_error(405, f"Method {request.command} is not allowed",
                                                   "method_not_allowed")
            return status, [*headers, ("Allow", ", ".join(allowed or KNOWN_METHODS))], payload
        declared = (request.headers.get("Content-Length") or "").strip()
        if declared and not declared.isdigit():  # "-5", "abc", "1e3"
            request.close_connection = True  # the body's end is unknown: nothing more on this connection
            return _json_error(400, "Content-Length must be a non-negative whole number", "bad_request")
        length = int(declared or 0)
        if length > routes.MAX_REQUEST_BYTES:
            request.close_connection = True
            return _json_error(413, f"Requests are limited to {routes.MAX_REQUEST_BYTES} bytes", "payload_too_large")
        body = request.rfile.read(length) if length else b""
        page = static_page(request.command, urlsplit(request.path).path)
        if page is not None:
            return page
        function, event = build_event(request.command, request.path, list(request.headers.items()), body,
                                      request.client_address[0], request.headers.get("Host", ""))
        if function is None:
            return _json_error(404, "No such resource", "not_found")
        try:
            return response_parts(self.functions.invoke(function, event))
        except Exception as exc:  # what API Gateway returns when the integration fails
            self.log(f"function {function} failed: {exc!r}")
            return _json_error(502, "The function failed to answer", "bad_gateway")

    def serve_forever(self) -> None:
        self.server.serve_forever(poll_interval=0.2)

    def shutdown(self) -> None:
        self.server.shutdown()
        self.server.server_close()
