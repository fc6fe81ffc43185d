"""The local stack's snapshots with a working day of data behind them (issue: a stack
that holds a day of data).

    python bench/snapshot_bench.py [entries]      (default 150000)

Loads the entries (spread over 15 users) into the stack `make run` starts, then prints:
the first snapshot's time; ten snapshots in a row, each after one new entry (so the
time-entry table is written again every time: the worst case), with the process's RSS
before and after; an idle snapshot's time; API latency (a user's first page of entries)
idle and while snapshots run; and the time a fresh stack takes to restore the snapshot.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time

import requests
from _local import rss_mb, running_stack, seed_entries


def latency(session, url: str, seconds: float) -> list[float]:
    samples, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.perf_counter()
        assert session.get(url).status_code == 200
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def describe(samples: list[float]) -> str:
    return f"p50 {statistics.median(samples):.1f} ms, max {max(samples):.1f} ms over {len(samples)} requests"


def restore_in_fresh_process(snapshot_dir) -> str:
    code = ("import os, sys, time; sys.path.insert(0, os.getcwd());"
            "from infra.local.aws import MotoServer, aws_environment, provision;"
            "m = MotoServer().start(); os.environ.update(aws_environment(m.url)); os.environ.update(provision());"
            "from infra.local.snapshots import Snapshots; from pathlib import Path;"
            "t = time.perf_counter(); c = Snapshots(Path(sys.argv[1])).restore();"
            "print(f\"{c['items']} items, {c['objects']} objects in {time.perf_counter() - t:.1f} s\")")
    out = subprocess.run([sys.executable, "-c", code, str(snapshot_dir)], capture_output=True, text=True,
                         env=dict(os.environ), cwd=os.getcwd())
    return out.stdout.strip() or out.stderr[-2000:]


def main() -> None:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 150_000
    with running_stack() as (stack, token):
        started = time.perf_counter()
        seed_entries(list(range(2, 17)), total)
        print(f"loaded {total} entries in {time.perf_counter() - started:.0f} s; RSS {rss_mb():.0f} MB", flush=True)
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        url = f"{stack.base_url}/api/v1/time-entries?user_id=5&per_page=50"

        started = time.perf_counter()
        counts = stack.snapshots.save()
        print(f"first snapshot: {counts['items']} items in {time.perf_counter() - started:.1f} s", flush=True)
        idle = latency(session, url, 5)
        print(f"API idle:             {describe(idle)}", flush=True)

        before, times = rss_mb(), []
        busy: list[float] = []
        done = threading.Event()
        measuring = threading.Thread(target=lambda: busy.extend(
            x for x in iter(lambda: None if done.is_set() else latency(session, url, 0.5), None) for x in x))
        measuring.start()
        for n in range(10):
            seed_entries([2], 1, first=total + n)
            started = time.perf_counter()
            stack.snapshots.save()
            times.append(time.perf_counter() - started)
        done.set()
        measuring.join()
        print(f"10 snapshots, each after a write: {', '.join(f'{t:.1f}' for t in times)} s; "
              f"RSS {before:.0f} -> {rss_mb():.0f} MB ({rss_mb() - before:+.0f} MB)", flush=True)
        print(f"API during snapshots: {describe(busy)} (idle p50 x2 = {2 * statistics.median(idle):.1f} ms)")
        started = time.perf_counter()
        stack.snapshots.save()
        print(f"idle snapshot (nothing changed): {(time.perf_counter() - started) * 1000:.0f} ms")
        print(f"restore in a fresh stack: {restore_in_fresh_process(stack.snapshot_dir)}")


if __name__ == "__main__":
    main()
