"""One webhook POST, to an address addresses.py checked: connect to that address (never a
second lookup), present the host's name for TLS and in Host, follow no redirect, give up
after the timeout, keep the first 1 KB of the answer."""
from __future__ import annotations

import time
from dataclasses import dataclass

from shared.webhooks.addresses import Target

KEEP_BODY_BYTES = 1024


@dataclass(frozen=True)
class Outcome:
    status_code: int | None  # None: no answer (refused, timed out, TLS failed)
    response_body: str
    duration_ms: int
    error: str | None = None  # why there was no answer, or why the answer is not a success

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(target: Target, headers: dict[str, str], body: bytes, timeout: float) -> Outcome:
    import urllib3

    started = time.perf_counter()
    address = target.addresses[0]
    options = dict(port=target.port, timeout=urllib3.Timeout(total=timeout), retries=False, maxsize=1)
    if target.scheme == "https":
        import certifi

        pool = urllib3.HTTPSConnectionPool(address, server_hostname=target.host, assert_hostname=target.host,
                                           cert_reqs="CERT_REQUIRED", ca_certs=certifi.where(), **options)
    else:
        pool = urllib3.HTTPConnectionPool(address, **options)
    try:
        response = pool.urlopen("POST", target.path, body=body, headers={**headers, "Host": target.host_header},
                                redirect=False, retries=False, preload_content=False, assert_same_host=False)
        try:
            kept = response.read(KEEP_BODY_BYTES, decode_content=False)
        finally:
            response.release_conn()
        status = response.status
    except urllib3.exceptions.HTTPError as exc:
        return Outcome(None, "", _ms(started), _why(exc, timeout))
    finally:
        pool.close()
    error = None
    if 300 <= status < 400:
        error = f"Redirect to {response.headers.get('Location', '?')[:200]} not followed"
    elif not 200 <= status < 300:
        error = f"HTTP {status}"
    return Outcome(status, kept.decode("utf-8", "replace"), _ms(started), error)


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


def _why(exc: Exception, timeout: float) -> str:
    import urllib3

    if isinstance(exc, (urllib3.exceptions.TimeoutError, urllib3.exceptions.ReadTimeoutError)):
        return f"No answer within {timeout:g} s"
    if isinstance(exc, urllib3.exceptions.SSLError):
        return "TLS failed (certificate or handshake)"
    if isinstance(exc, urllib3.exceptions.NewConnectionError):
        return "Connection refused or unreachable"
    return f"{type(exc).__name__}"
