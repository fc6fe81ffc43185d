"""Keeps the local stack's garbage collections short.

The emulator holds every item as Python objects (a 150,000-entry table is tens of millions
of them, none in a reference cycle). CPython's full collection walks every tracked object,
so with a working day of data each one stalled every thread for up to a second, at random
points of requests and exports (seen in bench/export_bench.py as 20 ms page parses taking
300 ms). Every few seconds this collects what is garbage now and moves the survivors to
the permanent generation (gc.freeze), which later collections skip: a collection then costs
what was allocated since, not what the tables hold. Frozen objects still die by reference
counting; only a cycle formed later among them would stay, and the bench's RSS figures over
repeated snapshots say none grows. Lambda processes, short-lived and small, keep the default.
"""
from __future__ import annotations

import gc
import threading

FREEZE_SECONDS = 5.0


def freeze() -> None:
    gc.collect()
    gc.freeze()


def keep_frozen(stop: threading.Event, seconds: float = FREEZE_SECONDS) -> threading.Thread:
    def run():
        while not stop.wait(seconds):
            freeze()

    thread = threading.Thread(target=run, daemon=True, name="heap")
    thread.start()
    return thread
