"""What every `tt` command that talks to a TimeTracker API shares: where the API is and the
token (a config file of mode 0600 written by `tt login`; TT_API_URL / TT_TOKEN override it),
requests that turn the API's error body into a one-line message, following a job until it is
final, and a progress bar on a terminal."""
from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

EXIT_FAILED, EXIT_USAGE = 1, 2
POLL_SECONDS = 0.5
TIMEOUT = (5, 120)  # connect, read: a 6 MB upload on a slow line still fits


class CliError(Exception):
    """A failure to report on one line, with the exit status it means."""

    def __init__(self, message: str, code: int = EXIT_FAILED, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.status = status  # the HTTP status, when the API refused


def fail(reason: str, code: int) -> int:
    print(f"tt: {reason}", file=sys.stderr)
    return code


def config_path() -> Path:
    if os.environ.get("TT_CONFIG"):
        return Path(os.environ["TT_CONFIG"])
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "tt" / "config.json"


def save_config(url: str, token: str) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Created 0600 before anything is written: the token is never readable by others, even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump({"url": url, "token": token}, out)
    path.chmod(0o600)
    return path


def load_config() -> dict:
    path = config_path()
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise CliError(f"cannot read {path}: {exc}; run tt login again") from None


def error_message(response: requests.Response) -> str:
    """The API's own words (its error format: message, field errors), else the status."""
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code} from {response.url.split('?')[0]}"
    if not isinstance(body, dict):
        return f"HTTP {response.status_code}"
    message = body.get("message") or body.get("error") or f"HTTP {response.status_code}"
    errors = body.get("errors")
    if isinstance(errors, dict) and errors:
        fields = "; ".join(f"{k}: {', '.join(map(str, v if isinstance(v, list) else [v]))}" for k, v in errors.items())
        message = f"{message} ({fields})"
    return message


@dataclass
class Api:
    url: str
    token: str

    @classmethod
    def from_settings(cls) -> "Api":
        saved = load_config()
        url = os.environ.get("TT_API_URL") or saved.get("url")
        token = os.environ.get("TT_TOKEN") or saved.get("token")
        if not url or not token:
            raise CliError("not signed in: run tt login (or set TT_API_URL and TT_TOKEN)", EXIT_USAGE)
        return cls(url.rstrip("/"), token)

    def __post_init__(self):
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {self.token}", "User-Agent": "tt-cli/1.0"})

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        try:
            response = self.session.request(method, self.url + path, timeout=TIMEOUT, **kwargs)
        except requests.RequestException as exc:
            raise CliError(f"cannot reach {self.url}: {exc.__class__.__name__}") from None
        if response.status_code >= 400:
            raise CliError(error_message(response), status=response.status_code)
        return response

    def json(self, method: str, path: str, **kwargs) -> dict:
        return self.request(method, path, **kwargs).json()

    def follow(self, path: str, done, progress=None, unwrap=lambda body: body) -> dict:
        """GET ``path`` until ``done(body)``, showing each state through ``progress``."""
        while True:
            body = unwrap(self.json("GET", path))
            if progress:
                progress(body)
            if done(body):
                return body
            time.sleep(POLL_SECONDS)

    def download(self, url: str, output: Path) -> int:
        """A presigned URL's file, streamed to ``output``; its size."""
        try:
            with requests.get(url, stream=True, timeout=TIMEOUT) as got:
                if got.status_code != 200:
                    raise CliError(f"the download failed: HTTP {got.status_code}")
                size = 0
                with open(output, "wb") as out:
                    for chunk in got.iter_content(1 << 16):
                        out.write(chunk)
                        size += len(chunk)
                return size
        except requests.RequestException as exc:
            raise CliError(f"the download failed: {exc.__class__.__name__}") from None


class Bar:
    """One line rewritten in place on a terminal (stderr); silent elsewhere and with --json."""

    def __init__(self, enabled: bool):
        self.live = enabled and sys.stderr.isatty()

    def show(self, fraction: float, text: str) -> None:
        if self.live:
            filled = int(max(0.0, min(1.0, fraction)) * 30)
            sys.stderr.write(f"\r\033[K[{'#' * filled}{'.' * (30 - filled)}] {fraction * 100:5.1f} %  {text}")
            sys.stderr.flush()

    def end(self) -> None:
        if self.live:
            sys.stderr.write("\n")


def emit(args, data: dict, text: str | None) -> None:
    """--json prints the API's answer for scripts; otherwise a line for people."""
    if getattr(args, "json", False):
        print(json.dumps(data, indent=2, default=str))
    elif text:
        print(text)
