"""Run function handlers the way Lambda does: each "container" loads the handler
module once (its own cold start), serves one event at a time, and stays warm.

A pool holds up to ``max_containers`` per function, so concurrent requests run in
parallel like concurrent Lambda invocations do.
"""
from __future__ import annotations

import importlib.util
import os
import queue
import threading
import time
import uuid
from pathlib import Path

FUNCTIONS_DIR = Path(__file__).resolve().parents[2] / "functions"
TIMEOUT_SECONDS = 29  # API Gateway's integration timeout


class LocalContext:
    """The attributes of a Lambda context object that code reads."""

    def __init__(self, function_name: str, timeout: int = TIMEOUT_SECONDS):
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:000000000000:function:{function_name}"
        self.memory_limit_in_mb = 512
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + timeout

    def get_remaining_time_in_millis(self) -> int:
        return max(int((self._deadline - time.monotonic()) * 1000), 0)


def load_handler(function: str, instance: int = 0, attr: str = "lambda_handler"):
    """Import functions/<function>/handler.py as a fresh module (a new container)."""
    path = FUNCTIONS_DIR / function / "handler.py"
    spec = importlib.util.spec_from_file_location(f"lambda_{function}_{instance}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, attr)


class FunctionPool:
    def __init__(self, function: str, max_containers: int = 4, loader=load_handler):
        self.function = function
        self._idle: queue.LifoQueue = queue.LifoQueue()  # warmest container first
        self._created = 0
        self._max = max_containers
        self._lock = threading.Lock()
        self._loader = loader

    def invoke(self, event: dict, timeout: int = TIMEOUT_SECONDS):
        handler = self._checkout()
        try:
            return handler(event, LocalContext(self.function, timeout))
        finally:
            self._idle.put(handler)

    def _checkout(self):
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            grow = self._created < self._max
            if grow:
                self._created += 1
                instance = self._created
        if grow:
            return self._loader(self.function, instance)
        return self._idle.get()  # every container busy: wait, as a throttled invoke would


class Functions:
    """Pools by function name, created on first use; ``LOCAL_MAX_CONTAINERS`` (4) per function unless given."""

    def __init__(self, max_containers: int | None = None):
        self._pools: dict[str, FunctionPool] = {}
        self._lock = threading.Lock()
        self._max = max_containers or int(os.environ.get("LOCAL_MAX_CONTAINERS", "4"))

    def pool(self, function: str) -> FunctionPool:
        with self._lock:
            if function not in self._pools:
                self._pools[function] = FunctionPool(function, self._max)
            return self._pools[function]

    def invoke(self, function: str, event: dict, timeout: int = TIMEOUT_SECONDS):
        return self.pool(function).invoke(event, timeout)
