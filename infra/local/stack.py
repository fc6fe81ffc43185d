"""The whole system on one machine: embedded AWS, the gateway, the stream pollers, the queue
workers (in a process of their own, workers.py), and a bootstrap admin. ``python -m infra.local``
(what ``make run`` starts)."""
from __future__ import annotations

import functools
import json
import os
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from infra.local import heap
from infra.local.aws import MotoServer, aws_environment, provision
from infra.local.snapshots import Snapshots
from infra.local.workers import stop_pollers

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class LocalStack:
    host: str = "127.0.0.1"
    port: int = 3000
    state_dir: Path = ROOT / ".local"
    admin_token: str | None = None
    snapshot_interval: float = 10.0  # a kill -9 loses at most this much (snapshots.py)
    workers_in_process: bool = False  # True only for benches that meter the workers' calls in-process
    log: object = print
    moto: MotoServer | None = None
    gateway: object = None
    pollers: list = field(default_factory=list)
    workers: object = None  # the queue workers' process (workers.py)
    snapshots: Snapshots | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    @property
    def snapshot_dir(self) -> Path:
        return self.state_dir / "snapshot"

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.gateway.port}"

    def start(self) -> str:
        """Start everything; returns a working admin token."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.moto = MotoServer(self.host).start()
        os.environ.update(aws_environment(self.moto.url))
        os.environ.update(provision())
        from shared.settings import get_settings

        get_settings.cache_clear()  # provisioning read the settings before the queue URLs existed
        self.snapshots = Snapshots(self.snapshot_dir, self.moto.dynamodb_lock)
        started = time.monotonic()
        restored = self.snapshots.restore()
        if restored["items"] or restored["objects"]:
            self.log(f"restored {restored['items']} items and {restored['objects']} objects from {self.snapshot_dir} "
                     f"in {time.monotonic() - started:.1f} s")
        token = self._bootstrap_admin()

        # Imported only now: settings and models read the environment set above.
        from infra.local.gateway import Gateway
        from infra.local.lambdas import Functions
        from infra.local.workers import WorkerProcess, start_queue_pollers
        from shared import routes

        functions = Functions()
        self.gateway = Gateway(functions, self.host, self.port, log=self.log)
        threading.Thread(target=self.gateway.serve_forever, daemon=True, name="gateway").start()
        if self.workers_in_process:
            self.pollers.extend(start_queue_pollers(functions, self.log))
        else:
            self.workers = WorkerProcess(self.log).start()
        from infra.local.streams import StreamPoller
        from shared.settings import get_settings as settings_now

        for stream in routes.STREAM_SOURCES:  # DynamoDB Streams event source mappings in the cloud
            poller = StreamPoller(settings_now().table(stream.table),
                                  functools.partial(functions.invoke, stream.function, timeout=900),
                                  stream.batch_size, lock=self.moto.dynamodb_lock, log=self.log)
            poller.start()
            self.pollers.append(poller)
        for schedule in routes.SCHEDULES:  # EventBridge rules in the cloud
            seconds = float(os.environ.get("TT_SCHEDULE_SECONDS") or schedule.minutes * 60)
            threading.Thread(target=self._on_timer, args=(functions, schedule.function, seconds), daemon=True,
                             name=f"schedule:{schedule.function}").start()
        threading.Thread(target=self._autosave, daemon=True, name="autosave").start()
        heap.freeze()  # what the restore loaded
        heap.keep_frozen(self._stop)
        self._write_state(token)
        return token

    def _bootstrap_admin(self) -> str:
        from shared.logic.bootstrap import ensure_admin

        token_file = self.state_dir / "admin_token"
        wanted = self.admin_token or (token_file.read_text().strip() if token_file.exists() else None)
        try:
            _, token = ensure_admin("admin", "admin@localhost.localdomain", wanted)
        except ValueError:
            if self.admin_token:
                raise
            _, token = ensure_admin("admin", "admin@localhost.localdomain", None)  # saved token was revoked
        token_file.write_text(token + "\n")
        token_file.chmod(0o600)
        return token

    def _write_state(self, token: str) -> None:
        """Where `make invoke` and other tools find the running stack."""
        env = {k: os.environ[k] for k in aws_environment(self.moto.url)} | {
            k: os.environ[k] for k in os.environ if k.endswith("_QUEUE_URL")}
        state = {"base_url": self.base_url, "admin_token": token, "pid": os.getpid(),
                 "workers_pid": self.workers.process.pid if self.workers else None, "environment": env}
        path, part = self.state_dir / "stack.json", self.state_dir / "stack.json.part"
        part.write_text(json.dumps(state, indent=2))
        part.chmod(0o600)
        part.replace(path)  # whole or absent to a reader: it appears while the API already answers

    def _on_timer(self, functions, function: str, seconds: float) -> None:
        """A scheduled function, called with EventBridge's Scheduled Event shape at its rate."""
        from infra.local.events import scheduled_event

        while not self._stop.wait(seconds):
            try:
                functions.invoke(function, scheduled_event(function))
            except Exception as exc:  # a failed tick must not take the stack down; the next one retries
                self.log(f"{function} failed: {exc!r}")

    def _autosave(self) -> None:
        while not self._stop.wait(self.snapshot_interval):
            try:
                self.snapshots.save()
            except Exception as exc:  # a failed autosave must not take the stack down
                self.log(f"autosave failed: {exc!r}")

    def stop(self, save: bool = True) -> None:
        self._stop.set()
        if self.gateway:
            self.gateway.shutdown()
        if self.workers:
            self.workers.stop()
        stop_pollers(self.pollers)
        if self.moto and save:
            counts = self.snapshots.save()
            self.log(f"saved {counts['items']} items and {counts['objects']} objects to {self.snapshot_dir}")
        if self.moto:
            self.moto.stop()
        (self.state_dir / "stack.json").unlink(missing_ok=True)


def main() -> None:
    token = os.environ.get("TT_ADMIN_TOKEN") or None
    stack = LocalStack(port=int(os.environ.get("PORT", "3000")), admin_token=token,
                       state_dir=Path(os.environ.get("TT_STATE_DIR", str(ROOT / ".local"))),
                       log=lambda line: print(line, flush=True))
    # A plain flag, polled: setting an Event from a signal handler can deadlock on the Event's own
    # lock when the signal lands while the main thread holds it (and a wait that missed it never ends).
    stopping: list[int] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda signum, _frame: stopping.append(signum))
    try:
        admin_token = stack.start()
    except (ValueError, RuntimeError) as exc:  # a bad admin token; workers that could not start
        raise SystemExit(f"error: {exc}") from None
    print(
        "\nTimeTracker local stack is up\n"
        f"  API        {stack.base_url}/api/v1\n"
        f"  Page       {stack.base_url}/import-export#token={admin_token}  (signs you in as the admin)\n"
        f"  Docs       {stack.base_url}/api/docs\n"
        f"  AWS        {stack.moto.url} (moto: DynamoDB and its streams, S3, SQS, KMS)\n"
        f"  Admin      {admin_token}\n"
        f"  Data       {stack.snapshot_dir}\n"
        f"\n  curl -H 'Authorization: Bearer {admin_token}' {stack.base_url}/api/v1/users/me\n"
        "\nCtrl-C stops everything (data is saved).",
        flush=True,
    )
    while not stopping:
        time.sleep(0.2)
    print("\nstopping...", flush=True)
    stack.stop()
    print("stopped", flush=True)
