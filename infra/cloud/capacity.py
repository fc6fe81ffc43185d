"""The capacity knobs of the CDK app, from docs/SCALING.md's model (bench/capacity_model.py).

``WARM_WRITE_UNITS=40000 make synth`` (context ``warm_write_units``) pre-warms the tables an import
writes, and each of their GSIs, to that many write units per second (and three times as many read
units); unset, they start at DynamoDB's default for a new on-demand table (about 4,000 WCU/s).
The chunk workers' concurrency follows: each imported row costs about one write unit in the
entries table and one in each of its GSIs, so rows per second must stay under the warm throughput
of the busiest of them, with a fifth of it left for the API's own writes.
"""
from __future__ import annotations

import math

DEFAULT_WARM_WRITE_UNITS = 4000  # a new on-demand table and each new GSI, until DynamoDB scales it
API_SHARE = 0.2  # of the warm throughput, kept for the API while an import runs
WCU_PER_ROW_PER_TABLE = 1.0  # the entry in the table, and again in each GSI it lands in (measured)
ROWS_PER_WORKER_SECOND = 1000  # a chunk worker on Lambda writing 1,000-row chunks (see docs/SCALING.md)
# What a CSV import writes (bench/capacity_model.py lists the units per table and index).
IMPORT_WRITTEN = ("time_entries", "search_terms", "unique_names", "counters", "projects", "clients", "tasks",
                  "imports", "import_errors")


def chunk_worker_concurrency(warm_write_units: int | None) -> int:
    """The import chunk workers' maximum concurrency (the event source mapping's, at least 2)."""
    warm = warm_write_units or DEFAULT_WARM_WRITE_UNITS
    rows_per_second = warm * (1 - API_SHARE) / WCU_PER_ROW_PER_TABLE
    return max(2, min(1000, math.floor(rows_per_second / ROWS_PER_WORKER_SECOND)))
