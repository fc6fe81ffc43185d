"""Imports straight from Toggl's and Harvest's APIs on the local stack, the services being
loopback servers (tests/fakes/saas.py) holding N entries each.

    python bench/saas_import_bench.py [entries]     (default 20000 per service)

For each service prints: wall time and entries/s from POST to final status; the requests the
source served (the floor is entries ÷ page size, plus the names fetched once); and DynamoDB
write requests per 1,000 entries (all of them: entries, search postings, counters, markers;
not the POST's own token bookkeeping, and the status is polled through the data layer).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.fakes.saas import SaaS  # noqa: E402

WRITES = ("BatchWriteItem", "PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems")


def run(stack, admin: str, saas: SaaS, path: str, body: dict, entries: int, floor: int) -> None:
    from _local import calls

    from shared.data import imports as imports_data

    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {admin}"
    calls.clear()
    before = saas.requests
    started = time.perf_counter()
    r = session.post(f"{stack.base_url}{path}", json=body)
    assert r.status_code == 202, r.text
    while True:  # through the data layer: the bench's own polls are not the import's writes
        found = imports_data.get_import(r.json()["import_id"])
        if found.finished:
            break
        time.sleep(0.2)
    elapsed = time.perf_counter() - started
    job = session.get(f"{stack.base_url}/api/v1/imports/{found.id}").json()
    writes = {op: calls[op] for op in WRITES if calls[op]}
    per_k = 1000 / max(job["successful"], 1)
    print(f"{path}: {job['status']}, {job['successful']} imported, {job['skipped']} skipped, {job['failed']} failed")
    print(f"  wall time                {elapsed:.1f} s ({entries / elapsed:.0f} entries/s)")
    print(f"  source requests          {saas.requests - before} (floor {floor}: entries / page size, "
          f"plus the names fetched once)")
    print("  DynamoDB writes / 1,000  " + ", ".join(f"{op} {n * per_k:.1f}" for op, n in writes.items())
          + f"; all {sum(writes.values()) * per_k:.1f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("entries", nargs="?", type=int, default=20_000)
    args = parser.parse_args()
    with SaaS(toggl_per_workspace=(args.entries,), harvest_per_account=(args.entries,), running=0) as saas:
        os.environ.update(saas.environment())
        from _local import running_stack

        from shared.sources import harvest, toggl

        with running_stack() as (stack, admin):
            days = {"start_date": "2023-01-01", "end_date": "2024-12-31"}
            run(stack, admin, saas, "/api/import/toggl", {"api_token": SaaS.TOGGL_TOKEN, **days}, args.entries,
                -(-args.entries // toggl.PAGE_SIZE))
            run(stack, admin, saas, "/api/import/harvest", {"api_token": SaaS.HARVEST_TOKEN, **days}, args.entries,
                -(-args.entries // harvest.PER_PAGE))


if __name__ == "__main__":
    main()
