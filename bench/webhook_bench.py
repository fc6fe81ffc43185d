"""Webhook deliveries on the local stack: N time-entry writes (in bulk, as an import writes
them) with 3 subscriptions on a loopback receiver.

    python bench/webhook_bench.py [--writes 10000] [--subscriptions 3]

Prints deliveries per second (first write to last delivery), p50/p99 from a write's return to
its delivery, and Lambda invocations per 1,000 events (dispatcher: stream batches; worker:
queue batches), so batching shows as a figure, not a claim.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
from collections import Counter

from _local import running_stack

from tests.fakes.receiver import Receiver


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writes", type=int, default=10_000)
    parser.add_argument("--subscriptions", type=int, default=3)
    parser.add_argument("--batch", type=int, default=500, help="entries per bulk write")
    parser.add_argument("--wait", type=float, default=900, help="seconds to wait for every delivery")
    args = parser.parse_args()
    os.environ.update(WEBHOOKS_ALLOW_LOOPBACK="true")
    from infra.local import lambdas

    invocations: Counter = Counter()
    original = lambdas.Functions.invoke

    def counting(self, function, event, *a, **kw):
        invocations[function] += 1
        return original(self, function, event, *a, **kw)

    lambdas.Functions.invoke = counting
    with Receiver() as receiver, running_stack(workers_in_process=True) as (stack, token):  # counts invocations
        import requests

        from shared.data import time_entries as entries_data

        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {token}"
        hooks = []
        for i in range(args.subscriptions):
            r = s.post(f"{stack.base_url}/api/v1/webhooks", json={
                "name": f"bench {i}", "url": receiver.url(f"/hook{i}"), "events": ["time_entry.created"]})
            assert r.status_code == 201, r.text
            hooks.append(r.json()["webhook"]["id"])
        user_id = s.get(f"{stack.base_url}/api/v1/users/me").json()["user"]["id"]
        time.sleep(1.1)  # events stamped in a later second than the webhooks (streams keep seconds)
        invocations.clear()
        written_at: dict[int, float] = {}
        started = time.perf_counter()
        from datetime import datetime, timedelta, timezone

        t0 = datetime(2021, 1, 1, 9, tzinfo=timezone.utc)
        for lo in range(0, args.writes, args.batch):
            made = entries_data.put_entries([
                {"user_id": user_id, "project_id": None, "task_id": None, "start_time": t0 + timedelta(hours=i),
                 "end_time": t0 + timedelta(hours=i, minutes=30), "notes": f"bench {i}", "tags": [],
                 "billable": True, "paid": False, "source": "import"}
                for i in range(lo, min(lo + args.batch, args.writes))])
            now = time.time()
            written_at.update((e.id, now) for e in made)
        wrote = time.perf_counter() - started
        expected = args.writes * args.subscriptions
        deadline = time.monotonic() + args.wait
        while len(receiver.got) < expected and time.monotonic() < deadline:
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
        got = list(receiver.got)
        for hook in hooks:  # what did not arrive first time, and why
            retried = s.get(f"{stack.base_url}/api/v1/webhooks/{hook}/deliveries",
                            params={"status": "retrying", "limit": 100}).json()["deliveries"]
            if retried:
                print(f"  webhook {hook}: {len(retried)} attempts to retry, e.g. {retried[0]['error']}")
        latencies = sorted(g["at"] - written_at[g["json"]["data"]["id"]] for g in got)
        unique = {(g["path"], g["json"]["id"]) for g in got}
        events = len({g["json"]["id"] for g in got})
        print(f"{args.writes} entry writes ({args.batch} per BatchWrite round), {args.subscriptions} subscriptions:"
              f" written in {wrote:.1f} s")
        print(f"  deliveries: {len(got)} of {expected} ({len(got) - len(unique)} duplicates) in {elapsed:.1f} s"
              f" = {len(got) / elapsed:,.0f} deliveries/s")
        print(f"  write -> delivery: p50 {statistics.median(latencies):.2f} s, "
              f"p99 {latencies[int(len(latencies) * 0.99) - 1]:.2f} s, max {latencies[-1]:.2f} s")
        per_k = {f: round(n * 1000 / max(events, 1), 1) for f, n in invocations.items() if f.startswith("webhook")}
        print(f"  Lambda invocations per 1,000 events: {per_k} (events: {events})")


if __name__ == "__main__":
    main()
