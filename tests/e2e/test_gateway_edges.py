"""The local gateway's own edges, over a real socket: odd methods, bad Content-Length, bodies
that are not UTF-8, and logs that never keep a query string."""
import socket


def raw_request(stack, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", stack.port), timeout=10) as s:
        s.sendall(data)
        chunks = []
        while True:
            piece = s.recv(65536)
            if not piece:
                break
            chunks.append(piece)
            if b"\r\n\r\n" in b"".join(chunks):
                head, _, rest = b"".join(chunks).partition(b"\r\n\r\n")
                length = next((int(v) for k, _, v in (line.partition(b":") for line in head.split(b"\r\n"))
                               if k.strip().lower() == b"content-length"), 0)
                if len(rest) >= length:
                    break
    return b"".join(chunks)


def test_unknown_methods_are_a_json_405_with_allow(stack):
    for method in ("TRACE", "CONNECT", "BREW"):
        answer = raw_request(stack, f"{method} /api/v1/projects HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 405"), head
        assert b"Allow: GET, POST" in head and b'"error_code": "method_not_allowed"' in body


def test_a_malformed_or_negative_content_length_is_a_400(stack):
    for value in ("-5", "abc", "1e3"):
        answer = raw_request(stack, f"POST /api/v1/projects HTTP/1.1\r\nHost: x\r\nContent-Length: {value}\r\n"
                             f"Authorization: Bearer {stack.admin_token}\r\n\r\n{{}}".encode())
        assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
    names = [p["name"] for p in stack.session().get(stack.url("/api/v1/projects")).json()["projects"]]
    assert names == [] or all(n for n in names)  # nothing ran


def test_a_body_that_is_not_utf8_is_a_400_not_silently_replaced(stack):
    r = stack.session().post(stack.url("/api/v1/projects"), data=b'{"name": "caf\xe9 latin-1"}',
                             headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "UTF-8" in r.json()["errors"]["body"][0]


def test_the_log_keeps_paths_not_query_strings(stack):
    stack.session().get(stack.url("/api/v1/projects"), params={"api_key": "tt_secretsecretsecretsecretsecret12"})
    log = stack.log.read_text()
    assert "GET /api/v1/projects -> 200" in log
    assert "secretsecret" not in log
