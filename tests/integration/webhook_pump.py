"""Streams -> dispatcher -> webhook queue -> worker, as the local stack's pollers run them."""
from __future__ import annotations

from collections import Counter

from infra.local.streams import StreamPoller
from shared import routes
from shared.settings import get_settings


class Pump:
    def __init__(self, invoke, drain):
        self.invoke = invoke
        self.drain = drain
        self.pollers = [StreamPoller(get_settings().table(s.table), lambda e, f=s.function: invoke(f, e),
                                     s.batch_size, log=lambda *_: None) for s in routes.STREAM_SOURCES]
        self.dispatched: Counter = Counter()  # dispatcher invocations per table

    def __call__(self, rounds: int = 20) -> int:
        """Run until nothing moves; returns the deliveries attempted."""
        attempted = 0
        for _ in range(rounds):
            moved = 0
            for poller in self.pollers:
                while n := poller.poll_once():
                    moved += n
                    self.dispatched[poller.table_name] += 1
            handled = self.drain("tt-webhooks", "webhook_worker", batch_size=10)
            attempted += handled
            if not moved and not handled:
                return attempted
        raise AssertionError("webhooks kept moving")

