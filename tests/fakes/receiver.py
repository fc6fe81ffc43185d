"""A webhook receiver on loopback, as an outside team would run one: it verifies both
signatures, answers as told (fail N times, time out, 410, redirect) and records what it got."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from shared.webhooks.signing import verify_standard, verify_timetracker


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # a real receiver's backlog, not socketserver's 5 (full, it drops connects for 1 s)
    daemon_threads = True


class Receiver:
    def __init__(self):
        self.got: list[dict] = []  # every request: path, headers, body, json, answered
        self.plans: dict[str, list] = {}  # path -> answers to give, in order, then 200: int | "timeout" | "redirect"
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real receivers answer

            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    plan = receiver.plans.get(self.path.split("?")[0], [])
                    answer = plan.pop(0) if plan else 200
                    receiver.got.append({"path": self.path, "headers": dict(self.headers), "body": body,
                                         "json": json.loads(body or b"null"), "answered": answer, "at": time.time()})
                if answer == "timeout":
                    time.sleep(3)
                    answer = 200
                if answer == "redirect":
                    self.send_response(302)
                    self.send_header("Location", "/followed")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                reply = json.dumps({"received": True}).encode() if answer < 300 else b"x" * 3000
                self.send_response(answer)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "Receiver":
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def plan(self, path: str, *answers) -> None:
        self.plans[path] = list(answers)

    def events(self, path: str | None = None, *, delivered_only: bool = True) -> list[dict]:
        """The payloads received (at ``path``), those answered 2xx unless told otherwise."""
        return [g["json"] for g in self.got if (path is None or g["path"] == path)
                and (not delivered_only or (isinstance(g["answered"], int) and g["answered"] < 300)
                     or g["answered"] == "timeout")]

    def verify(self, secrets: list[str], path: str | None = None) -> None:
        """Every request carried a valid Standard Webhooks signature (by one of ``secrets``) and
        TimeTracker's (by the first), and its headers name the event it holds."""
        for g in self.got:
            if path is not None and g["path"] != path:
                continue
            h = {k.lower(): v for k, v in g["headers"].items()}
            assert any(verify_standard(s, h, g["body"]) for s in secrets), h
            assert verify_timetracker(secrets[0], h["x-webhook-signature"], g["body"]), h
            assert h["webhook-id"] == h["x-webhook-id"] == g["json"]["id"]
            assert h["x-webhook-event"] == g["json"]["event"]
            assert h["user-agent"] == "TimeTracker-Webhook/1.0"
