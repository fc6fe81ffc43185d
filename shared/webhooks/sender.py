"""One webhook POST, to an address addresses.py checked: connect to that address (never a
second lookup), present the host's name for TLS and in Host, follow no redirect, give up
after the timeout, keep the first 1 KB of the answer. Connections to an endpoint's checked
address are kept open between deliveries."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from shared.webhooks.addresses import Target

KEEP_BODY_BYTES = 1024
MAX_DRAIN_BYTES = 64 * 1024  # past the kept 1 KB, read to keep the connection; longer answers close it
MAX_POOLS = 64  # endpoints with connections kept open in one container
_POOLS: dict = {}
_POOLS_LOCK = threading.Lock()


@dataclass(frozen=True)
class Outcome:
    status_code: int | None  # None: no answer (refused, timed out, TLS failed)
    response_body: str
    duration_ms: int
    error: str | None = None  # why there was no answer, or why the answer is not a success

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _pool(target: Target, address: str, timeout: float):
    """A connection pool to one checked address, kept for the next deliveries to the same endpoint
    (keep-alive: no new TCP and TLS handshake per event). Keyed by the address itself, so a pool
    never reaches an address other than the one just checked."""
    import urllib3

    key = (target.scheme, address, target.port, target.host, timeout)
    with _POOLS_LOCK:
        pool = _POOLS.pop(key, None)
        if pool is None:
            options = dict(port=target.port, timeout=urllib3.Timeout(total=timeout), retries=False, maxsize=10,
                           block=False)
            if target.scheme == "https":
                import certifi

                pool = urllib3.HTTPSConnectionPool(address, server_hostname=target.host,
                                                   assert_hostname=target.host, cert_reqs="CERT_REQUIRED",
                                                   ca_certs=certifi.where(), **options)
            else:
                pool = urllib3.HTTPConnectionPool(address, **options)
        _POOLS[key] = pool  # most recently used last
        while len(_POOLS) > MAX_POOLS:
            _POOLS.pop(next(iter(_POOLS))).close()
    return pool


def post(target: Target, headers: dict[str, str], body: bytes, timeout: float) -> Outcome:
    import urllib3

    started = time.perf_counter()
    pool = _pool(target, target.addresses[0], timeout)
    try:
        response = pool.urlopen("POST", target.path, body=body, headers={**headers, "Host": target.host_header},
                                redirect=False, retries=False, preload_content=False, assert_same_host=False)
        try:
            kept = response.read(KEEP_BODY_BYTES, decode_content=False)
            left = response.length_remaining
            if left is not None and left <= MAX_DRAIN_BYTES:
                response.drain_conn()  # a short rest is read, so the connection can be reused
            else:
                response.close()  # an endless or unknown-length body is never read: the connection goes
        finally:
            response.release_conn()
        status = response.status
    except urllib3.exceptions.HTTPError as exc:
        return Outcome(None, "", _ms(started), _why(exc, timeout))
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
