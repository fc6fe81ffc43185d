"""GDPR exports of one user's time entries on the local stack, with other users' entries behind.

    python bench/export_bench.py [--behind N] [--peer URL --peer-token TOKEN] [entries ...]
    (defaults: --behind 150000, entries 10000 100000)

Seeds ``--behind`` entries of 15 other users, then for each size the exporting user's
own entries (in bulk, as an import writes them), and prints for each size:
- the user's first page of entries and a summary over all of them (medians), which should
  not grow with the other users' entries (compare ``--behind 0``);
- **end to end over HTTP**, as a client following the import/export guide does, from a
  process of its own: POST /api/export/gdpr, follow the answer (or its status_url) until
  the file is ready, GET the download (302 to S3) and read the file; the median of 5 runs
  (each run listed), and what part the POST's answer took;
- the **worker alone** in a fresh process (bench/export_worker_memory.py), for json and
  zip: seconds (and the part spent waiting on DynamoDB and S3, i.e. on moto), peak RSS and
  file size, so flat memory shows as the same figure at every size.
With ``--peer``, the same end-to-end job runs against a TimeTracker server too (its user
must already hold the same entries; ``--peer-token`` is that user's API token).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests
from _local import running_stack, seed_entries, settle

RUNS = 5


def build_in_fresh_process(user_id: int, export_format: str) -> dict:
    from shared.data import bucket_layout
    from shared.data import exports as exports_data

    export_id = exports_data.new_export_id()
    exports_data.put_export(export_id, {"user_id": user_id, "export_type": "gdpr", "export_format": export_format,
                                        "filename": f"bench.{export_format}",
                                        "object_key": bucket_layout.export_file(export_id, f"bench.{export_format}")})
    script = Path(__file__).with_name("export_worker_memory.py")
    out = subprocess.run([sys.executable, str(script), str(export_id)], env=dict(os.environ), capture_output=True,
                         text=True)
    if out.returncode:
        raise SystemExit(f"the export worker failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def end_to_end(base: str, token: str) -> tuple[float, float, int]:
    """(seconds from POST to the file read, seconds the POST took, file bytes), as a client does it."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    started = time.perf_counter()
    r = session.post(f"{base}/api/export/gdpr", json={"format": "json"})
    answered = time.perf_counter() - started
    assert r.status_code in (200, 201, 202), r.text
    body = r.json()
    status_url = body.get("status_url")
    while body.get("status", "completed") not in ("completed", "failed") and status_url:
        time.sleep(0.05)
        body = session.get(base + status_url).json()
        body = body.get("export", body)
    assert body.get("status", "completed") == "completed", body
    got = session.get(base + (body.get("download_url") or f"/api/export/download/{body['export_id']}"))
    assert got.status_code == 200, got.status_code
    return time.perf_counter() - started, answered, len(got.content)


def timed_runs(base: str, token: str) -> str:
    runs = [end_to_end(base, token) for _ in range(RUNS)]
    seconds = statistics.median(r[0] for r in runs)
    answer = statistics.median(r[1] for r in runs)
    each = ", ".join(f"{r[0]:.2f}" for r in runs)
    return f"{seconds:>6.2f} s (POST answered in {answer:.2f} s, file {runs[0][2] / 1e6:.1f} MB; runs {each})"


def as_client(measure: str, base: str, token: str) -> str:
    """``measure`` run by a client process of its own, as real clients are: the stack runs in
    this one (seeded in-process), and a client here would share its interpreter lock."""
    out = subprocess.run([sys.executable, __file__, "--client", measure, base, token], capture_output=True,
                         text=True)
    if out.returncode:
        raise SystemExit(f"the client failed:\n{out.stderr[-3000:]}")
    return out.stdout.strip()


def reads(base: str, token: str) -> str:
    """The user's first page of entries and a summary over all of them: what should not grow with the table."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    out = []
    for label, path, runs in (("first page", "/api/v1/time-entries?per_page=50", 10),
                              ("summary", "/api/v1/reports/summary?start_date=2019-01-01&end_date=2030-12-31", 3)):
        samples = []
        for _ in range(runs + 1):  # the first builds the emulator's index grouping after the writes
            started = time.perf_counter()
            assert session.get(base + path).status_code == 200
            samples.append(time.perf_counter() - started)
        out.append(f"{label} {statistics.median(samples[1:]) * 1000:.0f} ms")
    return ", ".join(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000])
    parser.add_argument("--behind", type=int, default=150_000, help="other users' entries in the table")
    parser.add_argument("--peer", help="a TimeTracker server's base URL, for the same job side by side")
    parser.add_argument("--peer-token", help="the peer user's API token")
    parser.add_argument("--client", nargs=3, metavar=("MEASURE", "BASE", "TOKEN"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:  # the client process of as_client
        measure, base, token = args.client
        print({"reads": reads, "end_to_end": timed_runs}[measure](base, token))
        return
    with running_stack() as (stack, admin):
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {admin}"
        user = session.post(f"{stack.base_url}/api/v1/users", json={"username": "exporter",
                                                                   "email": "exporter@example.com"}).json()["user"]
        token = session.post(f"{stack.base_url}/api/v1/api-tokens", json={
            "name": "bench", "user_id": user["id"], "scopes": ["read:*", "write:*"]}).json()["token"]
        started = time.perf_counter()
        seed_entries(list(range(user["id"] + 1, user["id"] + 16)), args.behind, first=10_000_000)
        print(f"{args.behind} other users' entries loaded in {time.perf_counter() - started:.0f} s", flush=True)
        seeded = 0
        for size in sorted(args.sizes):
            seed_entries([user["id"]], size - seeded, first=seeded)
            seeded = size
            print(f"\n{size} entries of the exporting user, {args.behind} others behind", flush=True)
            print(f"  (the stream consumers caught up with the writes {settle(stack):.0f} s later)", flush=True)
            print(f"  the user's reads (median): {as_client('reads', stack.base_url, token)}", flush=True)
            print(f"  end to end (POST -> file downloaded), median of {RUNS}: "
                  f"{as_client('end_to_end', stack.base_url, token)}", flush=True)
            if args.peer:
                print(f"  the peer ({args.peer}), same job:          "
                      f"{as_client('end_to_end', args.peer, args.peer_token)}",
                      flush=True)
            for export_format in ("json", "zip"):
                r = build_in_fresh_process(user["id"], export_format)
                assert r["status"] == "completed", r
                print(f"  worker alone, {export_format:>4}: {r['seconds']:.1f} s ({r['dynamodb_seconds']:.1f} s in "
                      f"DynamoDB, {r['s3_seconds']:.1f} s in S3), peak RSS {r['peak_rss_mb']:.0f} MB "
                      f"(after imports {r['baseline_rss_mb']:.0f} MB), file {r['file_size'] / 1e6:.1f} MB, "
                      f"{r['record_count']} records", flush=True)


if __name__ == "__main__":
    main()
