"""The time-entry API on the local stack: create 1,000 entries, page through them,
run the summary, search; then a summary over 50,000 entries of one user.

    python bench/api_latency.py [entries] [big-report-entries]

Prints p50/p95 per route and DynamoDB requests per call. Latencies are the local
stack's (moto in-process); the request counts are what carries over to AWS.
"""
from __future__ import annotations

import sys
import time
from datetime import datetime, timedelta, timezone

import requests
from _local import HEADER, calls, local_stack, row


def timed(label: str, fn, n: int) -> None:
    calls.clear()
    samples = []
    for i in range(n):
        t = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - t) * 1000)
    print(row(label, samples, n), flush=True)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    big = int(sys.argv[2]) if len(sys.argv) > 2 else 50_000
    with local_stack() as (base, token):
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {token}"
        for name in ("Website", "Mobile app", "Internal"):
            s.post(f"{base}/api/v1/projects", json={"name": name})
        t0 = datetime(2024, 1, 1, tzinfo=timezone.utc)

        def create(i):
            start = t0 + timedelta(hours=3 * i)
            r = s.post(f"{base}/api/v1/time-entries", json={
                "project_id": 1 + i % 3, "start_time": start.isoformat(), "notes": f"entry {i} for the website",
                "end_time": (start + timedelta(minutes=30 + i % 90)).isoformat(), "tags": "bench,api"})
            assert r.status_code == 201, r.text

        def check(path):
            def get(_):
                r = s.get(base + path)
                assert r.status_code == 200, r.text
            return get

        print(HEADER)
        timed("POST /api/v1/time-entries", create, n)
        timed("GET /time-entries?per_page=50 (page 1)", check("/api/v1/time-entries?per_page=50"), 50)
        timed("GET /time-entries?per_page=50&page=10", check("/api/v1/time-entries?per_page=50&page=10"), 20)
        timed("GET /time-entries?start_date..end_date (1 week)",
              check("/api/v1/time-entries?start_date=2024-02-01&end_date=2024-02-07"), 50)
        timed("GET /reports/summary (all entries)",
              check("/api/v1/reports/summary?start_date=2024-01-01&end_date=2025-12-31"), 10)
        timed("GET /search?q=website", check("/api/v1/search?q=website"), 50)
        timed("GET /timer/status", check("/api/v1/timer/status"), 50)

        # A heavy user: entries written in bulk (BatchWriteItem), then one summary over all of them.
        from shared.data import time_entries as entries_data

        calls.clear()
        started = time.perf_counter()
        values = [{"user_id": 1, "project_id": 1 + i % 3, "task_id": None, "notes": None, "tags": [],
                   "start_time": t0 + timedelta(minutes=20 * i), "end_time": t0 + timedelta(minutes=20 * i + 15),
                   "billable": i % 4 != 0, "paid": False, "source": "import"} for i in range(big)]
        for chunk in range(0, big, 1000):
            entries_data.put_entries(values[chunk:chunk + 1000])
        writes = calls["BatchWriteItem"]
        print(f"\nseeded {big} entries in {time.perf_counter() - started:.1f} s, "
              f"{writes / big * 1000:.1f} BatchWriteItem calls per 1,000 entries", flush=True)
        timed(f"GET /reports/summary ({big + n} entries)",
              check("/api/v1/reports/summary?start_date=2023-01-01&end_date=2026-12-31"), 3)


if __name__ == "__main__":
    main()
