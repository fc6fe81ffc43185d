"""What every source client shares: one requests session, retries, and the answers that
mean "stop" (refused credentials), "wait and go on" (429) and "come back later" (quota spent).

Credentials travel in headers only; no message, exception or log line here carries them.
"""
from __future__ import annotations

import ipaddress
import os
import time
from typing import TYPE_CHECKING, Callable
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import requests

TIMEOUT = 30  # seconds per request
RETRIES = 3  # for 5xx and network errors, with backoff from BACKOFF seconds
BACKOFF = float(os.environ.get("SOURCE_RETRY_BACKOFF") or 1.0)  # seconds; tests shorten it
MAX_INLINE_WAIT = 60  # a 429 asking for longer is a pause of the import, not a sleep in the worker
MAX_THROTTLED = 10  # 429s in a row for one request before the job pauses instead


class SourceError(Exception):
    """The source refused or failed; ``message`` is what to tell the user."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.message, self.status = message, status


class SourceRefused(SourceError):
    """Bad credentials or no access (401/403): no retry can help."""


class SourceUnavailable(SourceError):
    """5xx or network errors that outlasted the retries: the queue retries the step."""


class QuotaSpent(SourceError):
    """The source's quota is used up (Toggl's 402, or a long 429): resume after ``seconds``."""

    def __init__(self, message: str, seconds: float):
        super().__init__(message, 402)
        self.seconds = seconds


def header_safe(text: str) -> bool:
    """Whether a token or User-Agent can travel in an HTTP header: printable ASCII, no spaces
    at its ends (a token is never anything else)."""
    return bool(text) and text.isascii() and text.isprintable() and text == text.strip()


def check_base_url(url: str) -> str:
    """https anywhere; http only to this machine (tests and the local stack's loopback servers)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url.rstrip("/")
    if parts.scheme == "http" and parts.hostname:
        host = parts.hostname
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if loopback:
            return url.rstrip("/")
    raise ValueError(f"{url!r}: source URLs must be https (http only to loopback)")


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value not in (None, "") else None
    except ValueError:
        return None


def _message(response: requests.Response) -> str:
    """The source's own words: a JSON error's message, or its text (short)."""
    try:
        body = response.json()
    except ValueError:
        return (response.text or response.reason or "").strip()[:300]
    if isinstance(body, dict):
        for key in ("error_description", "message", "error"):
            if isinstance(body.get(key), str):
                return body[key][:300]
    if isinstance(body, str):
        return body[:300]
    return response.text.strip()[:300]


class SourceSession:
    """Requests to one source with the retry rules; ``before`` runs before each attempt (a
    shared rate limiter), ``sleep`` is injectable for tests."""

    def __init__(self, name: str, headers: dict, before: Callable[[], None] | None = None,
                 sleep: Callable[[float], None] = time.sleep, follow_redirects: bool = False):
        import requests  # here, not at import: the API functions that start imports never open a session

        self.name, self.follow_redirects = name, follow_redirects  # APIs: never (credentials stay put)
        self.session = requests.Session()
        self.session.headers.update(headers)
        self.before = before or (lambda: None)
        self.sleep = sleep
        self.requests = 0

    def call(self, method: str, url: str, **kwargs) -> requests.Response:
        import requests

        attempt = throttled = 0
        while True:
            self.before()
            self.requests += 1
            try:
                response = self.session.request(method, url, timeout=TIMEOUT, allow_redirects=self.follow_redirects,
                                                **kwargs)
            except requests.RequestException as exc:
                if attempt >= RETRIES:
                    raise SourceUnavailable(f"{self.name} could not be reached: {type(exc).__name__}") from None
                self.sleep(BACKOFF * 2 ** attempt)
                attempt += 1
                continue
            status = response.status_code
            if status < 300:
                return response
            if status in (401, 403):
                raise SourceRefused(f"{self.name} refused the credentials: {_message(response)}", status)
            if status == 402:
                wait = (_seconds(response.headers.get("X-Toggl-Quota-Resets-In"))
                        or _seconds(response.headers.get("Retry-After")) or 3600)
                raise QuotaSpent(f"{self.name}'s hourly request quota is used up: {_message(response)}", wait)
            if status == 429:
                wait = _seconds(response.headers.get("Retry-After"))
                wait = BACKOFF * 2 ** attempt if wait is None else wait
                throttled += 1
                if wait > MAX_INLINE_WAIT or throttled > MAX_THROTTLED:  # a pause of the job, not a spin
                    raise QuotaSpent(f"{self.name} asked to wait {wait:.0f} s", max(wait, MAX_INLINE_WAIT))
                self.sleep(wait)
                continue  # a 429 is the source pacing us, not a failed attempt
            if status >= 500 and attempt < RETRIES:
                self.sleep(BACKOFF * 2 ** attempt)
                attempt += 1
                continue
            if status >= 500:
                raise SourceUnavailable(f"{self.name} kept failing ({status}): {_message(response)}", status)
            raise SourceError(f"{self.name} answered {status}: {_message(response)}", status)

    def get_json(self, url: str, **kwargs):
        return self.call("GET", url, **kwargs).json()


class SlidingWindow:
    """At most ``limit`` calls in any ``seconds`` (Harvest: 100 per 15 s), for one process;
    ``waited`` adds up the sleeps, ``on_wait`` hears of each (a progress display)."""

    def __init__(self, limit: int, seconds: float, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic, on_wait: Callable[[float], None] | None = None):
        self.limit, self.seconds, self.sleep, self.clock = limit, seconds, sleep, clock
        self.on_wait = on_wait or (lambda _: None)
        self.calls: list[float] = []
        self.waited = 0.0

    def __call__(self) -> None:
        now = self.clock()
        self.calls = [t for t in self.calls if t > now - self.seconds]
        if len(self.calls) >= self.limit:
            wait = self.calls[0] + self.seconds - now + 0.05
            self.on_wait(wait)
            self.sleep(wait)
            self.waited += wait
            now = self.clock()
            self.calls = [t for t in self.calls if t > now - self.seconds]
        self.calls.append(now)
