"""Cold start: how long importing each function's handler module takes in a fresh
Python process (what Lambda's init phase pays before the first event).

    python bench/cold_start.py [runs]

Prints the median and the best of ``runs`` fresh processes (the best is the least
disturbed by whatever else the machine is doing), plus the -X importtime total.
"""
from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shared.routes import functions, workers  # noqa: E402

PROBE = """
import importlib.util, time
t = time.perf_counter()
spec = importlib.util.spec_from_file_location("handler", {path!r})
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
print(round((time.perf_counter() - t) * 1000, 1))
"""
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "AWS_DEFAULT_REGION": "us-east-1",
       "PYTHONDONTWRITEBYTECODE": "0", "POWERTOOLS_METRICS_NAMESPACE": "TimeTracker"}


def measure(function: str, runs: int) -> tuple[float, float, float]:
    path = str(ROOT / "functions" / function / "handler.py")
    samples = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", PROBE.format(path=path)], env=ENV, capture_output=True, text=True,
                             check=True)
        samples.append(float(out.stdout.strip().splitlines()[-1]))
    traced = subprocess.run([sys.executable, "-X", "importtime", "-c", PROBE.format(path=path)], env=ENV,
                            capture_output=True, text=True, check=True)
    total_us = sum(int(m.group(1)) for m in re.finditer(r"import time:\s+(\d+) \|", traced.stderr))
    return statistics.median(samples), min(samples), total_us / 1000


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    print(f"{'function':<20} {'median ms':>10} {'best ms':>10} {'-X importtime ms':>18}  ({runs} processes each)")
    for function in functions() + workers():
        median, best, traced = measure(function, runs)
        print(f"{function:<20} {median:>10.1f} {best:>10.1f} {traced:>18.1f}")


if __name__ == "__main__":
    main()
