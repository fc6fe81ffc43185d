"""Per-request cost of the foundation's routes on the local stack: latency (p50/p95)
and DynamoDB round trips per call.

    python bench/request_overhead.py [requests-per-route]
"""
from __future__ import annotations

import sys
import time

import requests
from _local import HEADER, calls, local_stack, row


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with local_stack() as (base, token):
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {token}"
        s.post(f"{base}/api/v1/clients", json={"name": "Bench client"})
        for i in range(60):
            s.post(f"{base}/api/v1/projects", json={"name": f"Bench project {i}", "client_id": 1})
        print(HEADER)
        for label, method, path, body in [
            ("GET /api/v1/users/me", "GET", "/api/v1/users/me", None),
            ("GET /api/v1/projects/{id}", "GET", "/api/v1/projects/7", None),
            ("GET /api/v1/projects?per_page=50", "GET", "/api/v1/projects?per_page=50", None),
            ("PATCH /api/v1/projects/{id}", "PATCH", "/api/v1/projects/7", {"description": "bench"}),
        ]:
            calls.clear()
            samples = []
            for _ in range(n):
                t = time.perf_counter()
                r = s.request(method, base + path, json=body)
                samples.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200, r.text
            print(row(label, samples, n))
        print("\nOverhead per authenticated request: 1 UpdateItem (rate_limits), plus 1 UpdateItem (api_tokens) "
              "only when the token is not in the container's 30 s cache.")


if __name__ == "__main__":
    main()
