"""The capacity model of docs/SCALING.md, computed from what the code really writes and reads.

    python bench/capacity_model.py [--rows 2000] [--target 1000000] [--prewarmed 40000]

1. Measures, on the local stack: a CSV import of ``--rows`` rows through the real pipeline and a
   GDPR export of them. Every DynamoDB request is seen on its way out: the write units of each item
   (1 per KB, 2 in a transaction), in its table and in every GSI it lands in (an item lands in an
   index when it carries the index's keys; an update rewrites the item in every index it is in),
   per partition key value; the read units of every page read (0.5 per 4 KB, eventually
   consistent). Chunk workers' busy time gives rows per second per worker.
2. Scales those units to ``--target`` rows and prints: units per row, the hottest partition keys,
   the wall time of the import and of the export at DynamoDB's default warm throughput (4,000 WCU/s
   and 12,000 RCU/s for a new on-demand table and for each new GSI) and at ``--prewarmed``, which
   limit binds, the Lambda concurrency the import needs to finish in 60 s, and the cost per
   million rows at list prices (PRICES, with their date).
"""
from __future__ import annotations

import argparse
import math
import time
from collections import Counter, defaultdict

import botocore.client
from _local import local_stack

# us-east-1 list prices. DynamoDB on-demand as cut on 2024-11-01; Lambda arm64; SQS standard; S3 Standard.
PRICES_AS_OF = "2024-11-01 (us-east-1 list prices)"
PRICES = {"write_request_unit": 0.625e-6, "read_request_unit": 0.125e-6, "lambda_gb_second_arm64": 0.0000133334,
          "lambda_request": 0.20e-6, "sqs_request": 0.40e-6, "s3_put": 0.005e-3, "s3_get": 0.0004e-3}
PARTITION_WCU, PARTITION_RCU = 1000, 3000  # what one partition serves per second
DEFAULT_WARM_WCU, DEFAULT_WARM_RCU = 4000, 12000  # a new on-demand table (and each new GSI) until it scales
WORKER_MEMORY_GB = 0.5  # functions_construct: 512 MB
# Written once per new name an import brings (and its guard in unique_names), not per row: a million-row
# file names about as many projects, clients and tasks as this one, so these are not scaled to --target.
CATALOGUE = ("projects", "clients", "tasks", "unique_names")


def item_size(item: dict) -> int:
    """DynamoDB's item size: attribute names plus values (numbers about half their digits)."""
    def value(v: dict) -> int:
        kind, inner = next(iter(v.items()))
        if kind == "S":
            return len(inner.encode())
        if kind == "N":
            return len(inner.strip("-").replace(".", "")) // 2 + 2
        if kind == "B":
            return len(inner)
        if kind in ("BOOL", "NULL"):
            return 1
        if kind == "L":
            return 3 + sum(value(x) + 1 for x in inner)
        if kind == "M":
            return 3 + sum(len(k.encode()) + value(x) + 1 for k, x in inner.items())
        if kind in ("SS", "NS"):
            return sum(len(str(x)) for x in inner)
        return 1

    return sum(len(name.encode()) + value(v) for name, v in item.items())


def _plain(value) -> str:
    """A key's value as text ({"N": "1"} -> 1); "?" when an update did not name it."""
    return str(next(iter(value.values()))) if isinstance(value, dict) else "?"


class Meter:
    """Units per table, per index and per partition key value, from the requests themselves."""

    def __init__(self):
        from shared.data.schema import all_table_specs

        self.specs = {s.name: s for s in all_table_specs()}
        self.write_units: Counter = Counter()  # (table, index or "") -> units
        self.read_units: Counter = Counter()
        self.keys: Counter = Counter()  # (table, index or "", key value) -> write units
        self.requests: Counter = Counter()

    def _written(self, table: str, item: dict, factor: int = 1, updated: bool = False) -> None:
        spec = self.specs.get(table)
        if spec is None:
            return
        units = max(1, math.ceil(item_size(item) / 1024)) * factor
        self.write_units[(spec.logical, "")] += units
        self.keys[(spec.logical, "", _plain(item.get(spec.partition[0])))] += units
        for name, pk, sk in spec.indexes:
            lands = pk[0] in item and (sk is None or sk[0] in item)
            if lands or (updated and pk[0] not in item):  # an update rewrites the item where it is
                self.write_units[(spec.logical, name)] += units
                self.keys[(spec.logical, name, _plain(item.get(pk[0])))] += units

    def before(self, operation: str, params: dict) -> None:
        self.requests[operation] += 1
        if operation == "PutItem":
            self._written(params["TableName"], params["Item"])
        elif operation == "UpdateItem":
            self._written(params["TableName"], params["Key"], updated=True)
        elif operation == "DeleteItem":
            self._written(params["TableName"], params["Key"])
        elif operation == "BatchWriteItem":
            for table, requests in params["RequestItems"].items():
                for r in requests:
                    self._written(table, r["PutRequest"]["Item"] if "PutRequest" in r else r["DeleteRequest"]["Key"])
        elif operation == "TransactWriteItems":
            for entry in params["TransactItems"]:
                kind, body = next(iter(entry.items()))
                if kind != "ConditionCheck":
                    self._written(body["TableName"], body.get("Item") or body["Key"], factor=2,
                                  updated=kind == "Update")

    def after(self, operation: str, params: dict, answer: dict) -> None:
        if operation in ("Query", "Scan", "GetItem", "BatchGetItem"):
            items = answer.get("Items") or ([answer["Item"]] if answer.get("Item") else [])
            if operation == "BatchGetItem":
                items = [i for found in answer.get("Responses", {}).values() for i in found]
            spec = self.specs.get(params.get("TableName", ""))
            logical = spec.logical if spec else "batch"
            units = max(1, math.ceil(sum(item_size(i) for i in items) / 4096)) / 2
            self.read_units[(logical, params.get("IndexName", ""))] += units


def measure(rows: int) -> dict:
    from import_bench import make_csv

    with local_stack(workers_in_process=True):  # first: it points the code at its own DynamoDB, S3 and SQS
        from shared.data import bucket_layout
        from shared.data import exports as exports_data
        from shared.data import imports as imports_data
        from shared.domain import Principal
        from shared.jobs.messages import ImportChunk
        from shared.jobs.registry import HANDLERS
        from shared.logic import export_builds, import_steps, imports  # noqa: F401 - registers the chunk step

        import_meter, export_meter, busy = Meter(), Meter(), defaultdict(float)
        current = {"meter": import_meter}
        original, chunk_step = botocore.client.BaseClient._make_api_call, HANDLERS[ImportChunk]

        def metered(self, operation, params):
            if self.meta.service_model.service_name != "dynamodb":
                return original(self, operation, params)
            current["meter"].before(operation, params)
            answer = original(self, operation, params)
            current["meter"].after(operation, params, answer)
            return answer

        def timed_chunk(message):
            started = time.perf_counter()
            try:
                return chunk_step(message)
            finally:
                busy["chunk"] += time.perf_counter() - started

        botocore.client.BaseClient._make_api_call, HANDLERS[ImportChunk] = metered, timed_chunk
        try:
            admin = Principal(token_id=1, user_id=1, role="admin", scopes=("admin:all",))
            started = time.perf_counter()
            job = imports.start_csv_import(admin, make_csv(rows), "capacity.csv")
            while not job.finished:
                time.sleep(0.2)
                job = imports_data.get_import(job.id)
            import_seconds = time.perf_counter() - started
            current["meter"] = export_meter
            export_id = exports_data.new_export_id()
            exports_data.put_export(export_id, {"user_id": 1, "export_type": "gdpr", "export_format": "json",
                                                "filename": "c.json",
                                                "object_key": bucket_layout.export_file(export_id, "c.json")})
            started = time.perf_counter()
            export_builds.build(export_id)
            export_seconds = time.perf_counter() - started
        finally:
            botocore.client.BaseClient._make_api_call, HANDLERS[ImportChunk] = original, chunk_step
    return {"rows": rows, "imported": job.successful, "import": import_meter, "export": export_meter,
            "import_seconds": import_seconds, "export_seconds": export_seconds, "busy": dict(busy)}


def report(m: dict, target: int, prewarmed: int) -> None:
    rows, scale = m["rows"], target / m["rows"]
    imp, exp = m["import"], m["export"]
    per_row = {k: u for k, u in imp.write_units.items() if k[0] not in CATALOGUE}
    catalogue = sum(u for k, u in imp.write_units.items() if k[0] in CATALOGUE)
    print(f"measured: a {rows}-row CSV import ({m['imported']} imported) and a GDPR export of it, on the local stack")
    print(f"prices:   {PRICES_AS_OF}\n")
    print("write units per imported row (table / index):")
    for (table, index), units in sorted(per_row.items(), key=lambda kv: -kv[1]):
        print(f"  {table + ('/' + index if index else ''):<34}{units / rows:7.3f}")
    wcu_row = sum(per_row.values()) / rows
    print(f"  {'all':<34}{wcu_row:7.3f}")
    print(f"  and {catalogue:,.0f} WCU once for this file's new projects, clients and tasks ({', '.join(CATALOGUE)})")
    print("\nhottest partition key values of the import (their share of its writes bounds its speed):")
    hot = sorted(((k, u) for k, u in imp.keys.items() if k[0] not in CATALOGUE), key=lambda kv: -kv[1])[:6]
    for (table, index, key), units in hot:
        seconds = units * scale / PARTITION_WCU
        print(f"  {table + ('/' + index if index else '')}[{key[:24]}]".ljust(52)
              + f"{units / rows:6.3f} WCU/row -> {seconds:8.0f} s for {target:,} rows at {PARTITION_WCU} WCU/s")
    rcu_row = sum(exp.read_units.values()) / rows
    print(f"\nread units per exported entry: {rcu_row:.3f} (eventually consistent pages of up to 1 MB)")

    def import_time(warm: int) -> tuple[float, str]:
        per_target = {k: u * scale / warm for k, u in per_row.items()}  # each table and GSI: its own
        limits = {f"{t}{'/' + i if i else ''} at {warm} WCU/s": s for (t, i), s in per_target.items()}
        (table, index, key), units = hot[0]
        limits[f"partition {table}{'/' + index if index else ''}[{key[:16]}] at {PARTITION_WCU} WCU/s"] = \
            units * scale / PARTITION_WCU
        binding = max(limits, key=limits.get)
        return limits[binding], binding

    warm_needed = math.ceil(max(per_row.values()) * scale / 60)
    print(f"\n  {target:,} rows in 60 s needs each table and GSI an import writes pre-warmed to {warm_needed:,} WCU/s")
    export_units = rcu_row * target
    chunk_busy = sum(m["busy"].values()) or m["import_seconds"]
    rows_per_worker_second = rows / chunk_busy
    print("\n                                  default warm throughput    pre-warmed")
    for label, warm in (("import", DEFAULT_WARM_WCU), ("import (pre-warmed)", prewarmed)):
        seconds, binding = import_time(warm)
        print(f"  {label:<26}{seconds:>10.0f} s   bound by {binding}")
    export_rate = rows / m["export_seconds"]  # one worker streams one export: its speed bounds it
    for label, warm in (("export", DEFAULT_WARM_RCU), ("export (pre-warmed)", prewarmed * 3)):
        limits = {f"the table at {warm:,} RCU/s": export_units / warm,
                  f"one partition key at {PARTITION_RCU} RCU/s": export_units / PARTITION_RCU,
                  f"one worker writing {export_rate:,.0f} entries/s (measured here)": target / export_rate}
        binding = max(limits, key=limits.get)
        print(f"  {label:<26}{limits[binding]:>10.0f} s   bound by {binding} ({export_units:,.0f} RCU)")
    workers_for_60s = math.ceil(target / 60 / rows_per_worker_second)
    print(f"\n  chunk worker speed (measured here): {rows_per_worker_second:,.0f} rows/s per worker; "
          f"a {target:,}-row import in 60 s needs {workers_for_60s} concurrent workers and "
          f"{wcu_row * target / 60:,.0f} WCU/s spread over partitions")
    million = 1_000_000
    invocations = million / 1000 / 5  # 1,000-row chunks, 5 messages an invocation (routes.EVENT_SOURCES)
    cost = {"DynamoDB writes": wcu_row * million * PRICES["write_request_unit"],
            "DynamoDB reads (export)": rcu_row * million * PRICES["read_request_unit"],
            "Lambda (chunk workers)": million / rows_per_worker_second * WORKER_MEMORY_GB
            * PRICES["lambda_gb_second_arm64"] + invocations * PRICES["lambda_request"],
            "SQS (chunk messages: send, receive, delete)": 3 * million / 1000 * PRICES["sqs_request"],
            "S3 (chunk objects put and read)": million / 1000 * (PRICES["s3_put"] + PRICES["s3_get"])}
    print("\ncost per million rows imported (and exported once):")
    for label, dollars in cost.items():
        print(f"  {label:<40} ${dollars:8.3f}")
    print(f"  {'total':<40} ${sum(cost.values()):8.3f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--target", type=int, default=1_000_000)
    parser.add_argument("--prewarmed", type=int, default=40_000, help="warm write units per second, pre-warmed")
    args = parser.parse_args()
    report(measure(args.rows), args.target, args.prewarmed)


if __name__ == "__main__":
    main()
