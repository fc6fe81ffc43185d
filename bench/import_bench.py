"""The asynchronous import end to end on the local stack: generate a TimeTracker CSV,
hand it to the pipeline (S3 → split → SQS chunks → workers via the local pollers) and
wait for the final status.

    python bench/import_bench.py [rows] [--behind N] [--peer URL --peer-token TOKEN]
    (defaults: 100000 rows, 150000 entries of other users behind)

Prints rows/s, DynamoDB write requests per 1,000 rows (counted by the emulator, the
workers' process included), the chunk messages, and peak memory: of the stack's process
(moto holds every table in it), and of the splitter and of one worker, each run again in
a fresh process on the same file (bench/worker_memory.py).
The file goes in through the logic, not HTTP (the presigned upload's PUT is S3's own).
The table holds ``--behind`` entries of other users first. With ``--peer``, the same file
goes to a TimeTracker server's POST /api/import/csv (multipart ``file``), timed until its
import has finished.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import requests
from _local import calls, local_stack, seed_entries


def make_csv(rows: int) -> bytes:
    lines = ["project_name,client_name,task_name,start_time,end_time,duration_hours,notes,tags,billable"]
    for i in range(rows):
        day, hour = 1 + i % 28, 8 + i % 10
        lines.append(f"Project {i % 20},Client {i % 5},Task {i % 3},2024-{1 + i % 12:02d}-{day:02d} {hour:02d}:00:00,"
                     f",0.75,Imported row {i},bench;import,{'true' if i % 4 else 'false'}")
    return ("\r\n".join(lines) + "\r\n").encode()


def step_peak(step: str, import_id: int = 0) -> dict:
    script = Path(__file__).with_name("worker_memory.py")
    out = subprocess.run([sys.executable, str(script), step, str(import_id)], env=dict(os.environ),
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure_steps(raw: bytes) -> dict:
    """The splitter and a worker, each alone in a fresh process, on a second copy of the file."""
    from shared.data import imports as imports_data
    from shared.data import objects

    import_id = imports_data.new_import_id()
    from shared.data import bucket_layout

    key = bucket_layout.import_file(import_id)
    objects.put_object(key, raw, "text/csv")
    imports_data.put_import(import_id, {"user_id": 1, "type": "autodetect", "filename": "memory.csv",
                                        "object_key": key, "options": {}})
    return {"baseline": step_peak("baseline"), "split": step_peak("split", import_id),
            "chunk": step_peak("chunk", import_id)}


def peer_import(base: str, token: str, raw: bytes) -> str:
    """The same file through a TimeTracker server's CSV import, until it has finished."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    started = time.perf_counter()
    r = session.post(f"{base}/api/import/csv", files={"file": ("bench.csv", raw, "text/csv")}, timeout=3600)
    body = r.json() if r.headers.get("content-type", "").startswith("application/json") else {}
    status = body.get("status", "completed" if r.ok else "failed")
    while status in ("pending", "processing") and body.get("import_id"):
        time.sleep(0.5)
        body = session.get(f"{base}/api/import/status/{body['import_id']}").json()
        status = body.get("status")
    elapsed = time.perf_counter() - started
    return f"HTTP {r.status_code}, {status}, {elapsed:.1f} s ({len(raw.splitlines()) - 1} rows)"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("rows", nargs="?", type=int, default=100_000)
    parser.add_argument("--behind", type=int, default=150_000, help="other users' entries in the table first")
    parser.add_argument("--peer", help="a TimeTracker server's base URL, for the same import side by side")
    parser.add_argument("--peer-token", help="an API token of the peer")
    args = parser.parse_args()
    rows = args.rows
    raw = make_csv(rows)
    with local_stack() as (_base, _token):
        started = time.perf_counter()
        seed_entries(list(range(2, 17)), args.behind, first=10_000_000)
        print(f"behind: {args.behind} other users' entries (loaded in {time.perf_counter() - started:.0f} s)")
        from shared.data import imports as imports_data
        from shared.domain import Principal
        from shared.logic import imports

        calls.clear()
        admin = Principal(token_id=1, user_id=1, role="admin", scopes=("admin:all",))
        started = time.perf_counter()
        job = imports.start_csv_import(admin, raw, "bench.csv")
        while True:
            job = imports_data.get_import(job.id)
            if job.finished:
                break
            time.sleep(0.5)
        elapsed = time.perf_counter() - started
        writes = {op: calls[op] for op in ("BatchWriteItem", "PutItem", "UpdateItem", "DeleteItem",
                                           "TransactWriteItems")}
        per_k = 1000 / rows
        print(f"rows                      {rows} ({len(raw) / 1e6:.1f} MB)")
        print(f"final status              {job.status}: {job.successful} imported, {job.failed} failed")
        print(f"wall time                 {elapsed:.1f} s  ({rows / elapsed:.0f} rows/s)")
        print(f"SQS messages              1 to split the file, {job.chunks_total} chunks")
        print("DynamoDB write requests per 1,000 rows: "
              + ", ".join(f"{op} {n * per_k:.1f}" for op, n in writes.items() if n))
        print(f"  all writes              {sum(writes.values()) * per_k:.1f}")
        print(f"peak RSS (stack process)  {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
        steps = measure_steps(raw)
        print(f"peak RSS, fresh process   imports only {steps['baseline']['peak_rss_mb']:.0f} MB, "
              f"splitter {steps['split']['peak_rss_mb']:.0f} MB ({steps['split']['queued']} chunk messages), "
              f"worker on one chunk {steps['chunk']['peak_rss_mb']:.0f} MB")
        if args.peer:
            print(f"the peer ({args.peer}), same file: {peer_import(args.peer, args.peer_token, raw)}")


if __name__ == "__main__":
    main()
