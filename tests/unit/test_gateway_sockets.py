"""The local gateway's sockets behave as API Gateway's side of a connection does."""
import socket
import threading

import requests

from infra.local.aws import free_port
from infra.local.gateway import Gateway


def test_answers_are_not_held_back_by_nagles_algorithm(monkeypatch):
    # The headers and the body are two writes; with Nagle's algorithm on, the body waited for the
    # client's delayed ACK (about 40 ms on every answer over a kept-alive connection).
    seen = []

    def dispatch(self, request):
        seen.append(request.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        return 200, [("Content-Type", "application/json")], b"{}"

    monkeypatch.setattr(Gateway, "dispatch", dispatch)
    gateway = Gateway(functions=None, host="127.0.0.1", port=free_port(), log=lambda *_: None)
    threading.Thread(target=gateway.serve_forever, daemon=True).start()
    try:
        with requests.Session() as client:
            for _ in range(2):  # the same kept-alive connection
                assert client.get(f"http://127.0.0.1:{gateway.port}/api/v1/users/me").status_code == 200
    finally:
        gateway.shutdown()
    assert seen and all(seen)
