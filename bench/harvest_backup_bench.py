"""`tt harvest-backup` against a loopback Harvest (tests/fakes/saas.py) holding one account
with N time entries and M invoices (each with messages, payments and a PDF).

    python bench/harvest_backup_bench.py [entries ...] [--invoices 500]   (default 10000 50000)

For each size prints wall time (and the part spent waiting for Harvest's 100-requests-per-15-s
limit, which the command honours here too), requests made against the floor (every list's
items / 2,000, plus one per sub-resource and PDF), and the command's peak RSS in a fresh
process: flat across sizes, since lists stream to disk a page at a time.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.fakes.saas import SaaS  # noqa: E402

CHILD = """
import json, sys
from shared.cli import main
code = main(sys.argv[1:])
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({"code": code, "peak_rss_mb": peak / 1024}))
"""


def floor(saas: SaaS, account: int) -> int:
    """Requests a backup cannot do without: a page per 2,000 items of every list, one call per
    sub-resource of every item that has them, one per PDF, and discovery, company and users/me."""
    lists = saas.harvest_lists(account)
    pages = sum(-(-len(items) // 2000) or 1 for path, (_, items) in lists.items() if path.count("/") == 2)
    subs = sum(1 for path in lists if path.count("/") >= 4) + 1  # + one 422 teammates
    pdfs = saas.invoices_per_account + 1
    return pages + subs + pdfs + 3


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("entries", nargs="*", type=int, default=[10_000, 50_000])
    parser.add_argument("--invoices", type=int, default=500)
    args = parser.parse_args()
    for entries in args.entries:
        with SaaS(toggl_per_workspace=(), harvest_per_account=(entries,), running=0) as saas, \
                tempfile.TemporaryDirectory() as out:
            saas.invoices_per_account = args.invoices
            env = {**os.environ, **saas.environment(), "HARVEST_PAT": SaaS.HARVEST_TOKEN, "PYTHONPATH": str(ROOT)}
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", CHILD, "harvest-backup", "-o", out, "-v"], env=env,
                                  capture_output=True, text=True)
            elapsed = time.perf_counter() - started
            result = json.loads(done.stdout.strip().splitlines()[-1])
            assert result["code"] == 0, done.stderr[-2000:]
            waits = sum(float(line.split()[3]) for line in done.stderr.splitlines()
                        if line.startswith("rate limit: waiting"))
            files = sum(1 for _ in Path(out).rglob("*") if _.is_file())
            print(f"{entries} time entries, {args.invoices} invoices: {elapsed:.1f} s "
                  f"({waits:.1f} s waiting for the rate limit), {saas.requests} requests "
                  f"(floor {floor(saas, 11)}), {files} files, peak RSS {result['peak_rss_mb']:.0f} MB", flush=True)


if __name__ == "__main__":
    main()
