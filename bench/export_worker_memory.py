"""Build one export in a fresh process against a running local stack and print its
seconds (and how many of them were spent waiting on DynamoDB and S3), its peak RSS,
and the process's RSS before building (imports only).

    python bench/export_worker_memory.py <export_id>      (run by export_bench.py)
"""
from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    import botocore.client
    from _local import peak_rss_mb

    from shared.data import exports as exports_data
    from shared.logic import export_builds

    waited: Counter = Counter()
    original = botocore.client.BaseClient._make_api_call

    def timed(self, operation, params):
        started = time.perf_counter()
        try:
            return original(self, operation, params)
        finally:
            waited[self.meta.service_model.service_name] += time.perf_counter() - started

    botocore.client.BaseClient._make_api_call = timed
    export_id = int(sys.argv[1])
    baseline = peak_rss_mb()
    started = time.perf_counter()
    export_builds.build(export_id)
    seconds = time.perf_counter() - started
    job = exports_data.get_export(export_id)
    print(json.dumps({"seconds": seconds, "dynamodb_seconds": waited["dynamodb"], "s3_seconds": waited["s3"],
                      "peak_rss_mb": peak_rss_mb(), "baseline_rss_mb": baseline, "status": job.status,
                      "file_size": job.file_size, "record_count": job.record_count}))


if __name__ == "__main__":
    main()
