"""The local stack started exactly as `make run` starts it (a process tree per stack), for the
tests that drive it from outside: e2e over HTTP, the `tt` command line, the browser."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stack:
    """One `make run` process tree."""

    def __init__(self, state_dir: Path, admin_token: str, **env):
        self.state_dir = state_dir
        self.admin_token = admin_token
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "PORT": str(self.port), "TT_STATE_DIR": str(state_dir),
                    "TT_ADMIN_TOKEN": admin_token, **{k: str(v) for k, v in env.items()}}
        for var in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            self.env.pop(var, None)  # the stack sets its own
        self.env.pop("EXPORT_WAIT_SECONDS", None)  # the handler tests' setting; the stack runs as `make run` does
        self.process: subprocess.Popen | None = None
        self.log = state_dir / "stack.log"

    def start(self, timeout: float = 90) -> "Stack":
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(["make", "--no-print-directory", "run"], cwd=ROOT, env=self.env,
                                        stdout=open(self.log, "ab"), stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"make run exited {self.process.returncode}:\n{self.log.read_text()[-3000:]}")
            try:  # up: answering, and its state written (last, once the workers and pollers run too)
                if requests.get(f"{self.base}/api/v1/health", timeout=1).status_code == 200 and self.state().exists():
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the stack did not answer within {timeout} s:\n{self.log.read_text()[-3000:]}")

    def state(self) -> Path:
        """The running stack's state file (infra/local/stack.py: URLs, admin token, pids, environment)."""
        return self.state_dir / "stack.json"

    def stop(self) -> bool:
        """Ctrl-C to the process group, as a terminal sends it. True when the stack
        shut down cleanly (make itself then reports the interrupt, as it always does)."""
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            code = self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            raise
        after = self.log.read_text().rsplit("stopping...", 1)[-1]
        return code in (0, -signal.SIGINT) and "\nstopped" in after and "Traceback" not in after

    def session(self, token: str | None = None) -> requests.Session:
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {token or self.admin_token}"
        return s

    def url(self, path: str) -> str:
        return self.base + path
