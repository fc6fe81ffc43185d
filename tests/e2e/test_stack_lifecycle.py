"""Restart keeps data; Ctrl-C stops cleanly; the queue workers' process ends with the stack;
rate limits are exact under concurrency."""
import concurrent.futures
import json
import os
import signal
import time
from pathlib import Path

import requests


def _alive(pid: int) -> bool:
    """Running (an ended process whose parent is gone may linger as a zombie until reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not _alive(pid)


def _outside_window_edges(period: int, margin: int = 5) -> None:
    """Wait if a window boundary is about to pass during the test."""
    left = period - time.time() % period
    if left < margin:
        time.sleep(left + 0.5)


def test_restart_keeps_data_and_ctrl_c_exits_cleanly(make_stack):
    stack = make_stack().start()
    admin = stack.session()
    assert admin.post(stack.url("/api/v1/clients"), json={"name": "Persistent"}).status_code == 201
    assert stack.stop()
    assert (stack.state_dir / "snapshot").is_dir()
    assert "saved" in stack.log.read_text()

    stack.start()
    try:
        clients = admin.get(stack.url("/api/v1/clients")).json()["clients"]
        assert [c["name"] for c in clients] == ["Persistent"]
        # ids continue after a restart: the counters were restored too
        again = admin.post(stack.url("/api/v1/clients"), json={"name": "Second"}).json()["client"]
        assert again["id"] == clients[0]["id"] + 1
    finally:
        assert stack.stop()


def test_the_queue_workers_end_with_the_stack(make_stack):
    stack = make_stack().start()
    state = json.loads(stack.state().read_text())
    assert _alive(state["workers_pid"])
    assert stack.stop()  # Ctrl-C: the stack closes the workers' pipe and waits for them
    assert _gone_within(state["workers_pid"], 0)

    stack.start()
    state = json.loads(stack.state().read_text())
    os.kill(state["pid"], signal.SIGKILL)  # a crash: the pipe closes with the stack's process
    assert _gone_within(state["workers_pid"], 15)
    stack.process.wait(timeout=15)


def test_rate_limit_is_exact_under_concurrency(make_stack):
    limit = 20
    stack = make_stack(API_TOKEN_RATE_LIMIT_PER_HOUR=limit, API_TOKEN_RATE_LIMIT_PER_MINUTE=1000).start()
    try:
        admin = stack.session()
        token = admin.post(stack.url("/api/v1/api-tokens"),
                           json={"name": "burst", "scopes": ["read:projects"]}).json()["token"]
        _outside_window_edges(3600)

        def hit(_):
            return requests.get(stack.url("/api/v1/projects"), headers={"X-API-Key": token}, timeout=30)

        with concurrent.futures.ThreadPoolExecutor(max_workers=limit + 1) as pool:
            responses = list(pool.map(hit, range(limit + 1)))
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200] * limit + [429]
        refused = next(r for r in responses if r.status_code == 429)
        assert refused.json()["error_code"] == "rate_limited"
        assert int(refused.headers["Retry-After"]) > 0 and refused.headers["X-RateLimit-Remaining"] == "0"
        remaining = sorted(int(r.headers["X-RateLimit-Remaining"]) for r in responses if r.status_code == 200)
        assert remaining == list(range(limit))  # every success saw its own count
    finally:
        stack.stop()
