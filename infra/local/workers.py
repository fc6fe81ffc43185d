"""The local stack's queue workers: the SQS pollers and the worker functions they invoke.

`make run` runs them in a process of their own (``python -m infra.local.workers``), as Lambda
runs workers apart from DynamoDB: an export's parsing and encoding then use one core while the
emulator answers its Queries on another, instead of taking turns on one interpreter lock. The
process inherits the stack's environment (the emulator's endpoint, the queue URLs), prints
its lines to the stack (which hands them to its log), and ends when its stdin closes: when
the stack stops, or dies (a kill -9 of the stack closes the pipe too). A batch still running
5 s later is cut short, as one is when the stack itself stops.

The stream pollers stay in the stack's process: they read the emulator's streams in place.
"""
from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READY = "queue workers ready"


def start_queue_pollers(functions, log) -> list:
    """A started QueuePoller per event source of the route table (Lambda's SQS event source mappings)."""
    import boto3

    from infra.local.pollers import QueuePoller, announcing_dead_letters
    from shared import routes

    sqs = boto3.client("sqs")
    pollers = []
    for source in routes.EVENT_SOURCES:
        url = sqs.get_queue_url(QueueName=f"tt-{source.queue}")["QueueUrl"]
        run = functools.partial(functions.invoke, source.function, timeout=900)
        if source.queue.endswith("_dlq"):  # what an operator's dead-letter alarm says in the cloud
            run = announcing_dead_letters(run, source.queue.removesuffix("_dlq"), source.function, log)
        poller = QueuePoller(sqs, url, run, source.batch_size, log=log)
        poller.start()
        pollers.append(poller)
    return pollers


def stop_pollers(pollers: list, timeout: float = 5) -> None:
    for poller in pollers:
        poller.stop()
    for poller in pollers:
        poller.join(timeout=timeout)


class WorkerProcess:
    """The stack's handle on the workers' process."""

    def __init__(self, log):
        self.log = log
        self.process: subprocess.Popen | None = None
        self.ready = False  # it said so
        self._answered = threading.Event()  # it said it is ready, or ended first

    def start(self, timeout: float = 60) -> "WorkerProcess":
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen([sys.executable, "-m", "infra.local.workers"], cwd=ROOT, env=env,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        threading.Thread(target=self._relay, daemon=True, name="workers:log").start()
        if not self._answered.wait(timeout) or not self.ready:
            self.stop()
            raise RuntimeError(f"the queue workers did not start (exit code {self.process.returncode}; "
                               "their output is above)")
        return self

    def _relay(self) -> None:
        for raw in self.process.stdout:
            line = raw.decode(errors="replace").rstrip("\n")
            if line == READY:
                self.ready = True
                self._answered.set()
            else:
                self.log(line)
        self._answered.set()  # it ended (before it was ready, start() says why)

    def stop(self, timeout: float = 15) -> None:
        if self.process is None:
            return
        self.process.stdin.close()  # its signal to stop polling and exit (stop_pollers waits 5 s for a batch)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def main() -> None:
    # Ctrl-C reaches the whole process group; the stack decides when its workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from infra.local.lambdas import Functions

    functions = Functions()
    pollers = start_queue_pollers(functions, log=lambda line: print(line, flush=True))
    print(READY, flush=True)
    sys.stdin.buffer.read()  # until the stack closes the pipe, or dies
    stop_pollers(pollers)


if __name__ == "__main__":
    main()
