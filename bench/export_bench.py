"""A GDPR export of one user's time entries on the local stack, at growing sizes.

    python bench/export_bench.py [entries ...]     (default: 10000 100000)

Seeds the user's entries (in bulk, as an import writes them), then builds the export
in a fresh process (bench/export_worker_memory.py: the worker's code, alone, against
the stack's embedded S3 and DynamoDB) and prints its seconds (and the part spent
waiting on DynamoDB and S3, i.e. on moto), peak RSS (and RSS after imports) and file
size for each size, so flat memory shows as the same figure at 10k and 100k.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from _local import local_stack

BATCH = 5000


def seed(user_id: int, start: int, stop: int) -> None:
    from shared.data import time_entries as entries_data

    first = datetime(2020, 1, 1, 9, tzinfo=timezone.utc)
    for lo in range(start, stop, BATCH):
        entries_data.put_entries([
            {"user_id": user_id, "project_id": None, "task_id": None,
             "start_time": first + timedelta(hours=3 * i), "end_time": first + timedelta(hours=3 * i, minutes=45),
             "notes": f"Exported row {i}: écrit, “quoted”, =SUM(A1)", "tags": ["bench", "export"],
             "billable": bool(i % 4), "paid": False, "source": "import"}
            for i in range(lo, min(lo + BATCH, stop))])


def build_in_fresh_process(export_format: str) -> dict:
    from shared.data import bucket_layout
    from shared.data import exports as exports_data

    export_id = exports_data.new_export_id()
    exports_data.put_export(export_id, {"user_id": 1, "export_type": "gdpr", "export_format": export_format,
                                        "filename": f"bench.{export_format}",
                                        "object_key": bucket_layout.export_file(export_id, f"bench.{export_format}")})
    script = Path(__file__).with_name("export_worker_memory.py")
    out = subprocess.run([sys.executable, str(script), str(export_id)], env=dict(os.environ), capture_output=True,
                         text=True)
    if out.returncode:
        raise SystemExit(f"the export worker failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [10_000, 100_000]
    with local_stack():
        seeded = 0
        print(f"{'entries':>8} {'format':>6} {'seconds':>8} {'in DDB':>7} {'in S3':>6} {'peak RSS':>9} "
              f"{'imports':>8} {'file':>8} {'records':>8}")
        for size in sorted(sizes):
            started = time.perf_counter()
            seed(1, seeded, size)
            seeded = size
            seeding = time.perf_counter() - started
            for export_format in ("json", "zip"):
                r = build_in_fresh_process(export_format)
                assert r["status"] == "completed", r
                print(f"{size:>8} {export_format:>6} {r['seconds']:>8.1f} {r['dynamodb_seconds']:>7.1f} "
                      f"{r['s3_seconds']:>6.1f} {r['peak_rss_mb']:>7.0f}MB {r['baseline_rss_mb']:>6.0f}MB "
                      f"{r['file_size'] / 1e6:>6.1f}MB {r['record_count']:>8}   (seeding took {seeding:.0f} s)")


if __name__ == "__main__":
    main()
