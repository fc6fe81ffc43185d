"""What the benchmarks share: the local stack `make run` starts, run in this process on
free ports in a temporary directory, and a count of the DynamoDB requests the emulator
serves (from the API functions, the workers' process and the bench itself)."""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

calls: Counter = Counter()  # DynamoDB operation -> requests, from the stack's start


@contextmanager
def running_stack(workers_in_process: bool = False):
    """Yields (the LocalStack, admin token), started as `make run` starts it, without its
    autosave; the limiter counts but never refuses here. A bench that meters its queue
    workers in this process (their requests and answers, their invocations) runs them here
    with ``workers_in_process``, instead of in a process of their own."""
    from infra.local.aws import free_port
    from infra.local.stack import LocalStack

    os.environ.update(API_TOKEN_RATE_LIMIT_PER_MINUTE="100000000", API_TOKEN_RATE_LIMIT_PER_HOUR="100000000")
    with tempfile.TemporaryDirectory() as state:
        stack = LocalStack(port=free_port(), state_dir=Path(state), snapshot_interval=86400,
                           workers_in_process=workers_in_process, log=lambda *_: None)
        token = stack.start()
        stack.moto.count_calls(calls)
        try:
            yield stack, token
        finally:
            stack.stop(save=False)


@contextmanager
def local_stack(workers_in_process: bool = False):
    """Yields (base_url, admin_token)."""
    with running_stack(workers_in_process) as (stack, token):
        yield stack.base_url, token


def settle(stack, limit: float = 900) -> float:
    """Wait until the stack's stream consumers have caught up with what was written (seeding
    leaves them a record per entry), so what is measured next does not share the process
    with them; returns the seconds waited."""
    import time

    from infra.local.streams import StreamPoller

    started = time.perf_counter()
    streams = [p for p in stack.pollers if isinstance(p, StreamPoller)]
    while any(p._pending() for p in streams) and time.perf_counter() - started < limit:
        time.sleep(0.5)
    return time.perf_counter() - started


def seed_entries(user_ids: list[int], count: int, first: int = 0, batch: int = 5000) -> None:
    """``count`` stopped entries spread over ``user_ids``, written in bulk as an import writes them."""
    from datetime import datetime, timedelta, timezone

    from shared.data import time_entries as entries_data

    start = datetime(2020, 1, 1, 9, tzinfo=timezone.utc)
    for lo in range(first, first + count, batch):
        entries_data.put_entries([
            {"user_id": user_ids[i % len(user_ids)], "project_id": None, "task_id": None,
             "start_time": start + timedelta(hours=3 * i), "end_time": start + timedelta(hours=3 * i, minutes=45),
             "notes": f"Exported row {i}: écrit, “quoted”, =SUM(A1)", "tags": ["bench", "export"],
             "billable": bool(i % 4), "paid": False, "source": "import"}
            for i in range(lo, min(lo + batch, first + count))])


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM). Not ru_maxrss: Linux carries that across
    fork and exec, so a child started by a big parent would report the parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentiles(samples: list[float]) -> tuple[float, float]:
    if len(samples) < 2:
        return samples[0], samples[0]
    q = statistics.quantiles(samples, n=20)
    return q[9], q[18]


def row(label: str, samples: list[float], requests: int) -> str:
    p50, p95 = percentiles(samples)
    per = sum(calls.values()) / max(requests, 1)
    breakdown = ", ".join(f"{op} {c / max(requests, 1):.2f}" for op, c in sorted(calls.items()))
    return f"{label:<44}{len(samples):>6}{p50:>9.1f}{p95:>9.1f}{per:>10.2f}  {breakdown}"


HEADER = f"{'route':<44}{'calls':>6}{'p50 ms':>9}{'p95 ms':>9}{'DDB/call':>10}  breakdown per call"
