"""One import step in a fresh process against a running local stack, printing that
process's peak RSS: what a splitter or a worker Lambda needs, apart from moto.

    python bench/worker_memory.py baseline|split|chunk <import_id>

Run by import_bench.py with the stack's environment. Messages the step would queue are
counted, not sent, so measuring does not start more work.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    from _local import peak_rss_mb

    step = sys.argv[1]
    from shared.data import bucket_layout
    from shared.data import imports as imports_data
    from shared.jobs.messages import ImportChunk, SplitImport
    from shared.logic import import_steps

    queued: list = []
    import_steps.work_queue.send = queued.extend
    if step == "split":
        import_steps.split(SplitImport(int(sys.argv[2])))
    elif step == "chunk":
        job = imports_data.get_import(int(sys.argv[2]))
        import_steps.process_chunk(ImportChunk(job.id, 0, job.type, bucket_layout.import_chunk(job.id, 0)))
    print(json.dumps({"step": step, "peak_rss_mb": peak_rss_mb(),
                      "queued": len(queued)}))


if __name__ == "__main__":
    main()
