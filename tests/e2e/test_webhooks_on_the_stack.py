"""Webhooks on the stack `make run` starts: its stream pollers feed the dispatcher as Lambda's
DynamoDB Streams mappings would, its queue poller runs the delivery worker, and a receiver on
loopback (allowed by `make run` only) gets signed events, once each, after retries."""
import time

from tests.fakes.receiver import Receiver


def _wait(check, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        got = check()
        if got:
            return got
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_writes_over_http_reach_a_receiver_signed_and_once(stack):
    s = stack.session()
    with Receiver() as receiver:
        receiver.plan("/hook", 500)  # the first attempt fails: the retry delivers
        r = s.post(stack.url("/api/v1/webhooks"), json={"name": "e2e", "url": receiver.url("/hook"),
                                                        "events": ["time_entry.created", "project.archived"]})
        assert r.status_code == 201, r.text
        hook, secret = r.json()["webhook"], r.json()["secret"]
        project = s.post(stack.url("/api/v1/projects"), json={"name": f"Hooked {time.time()}"}).json()["project"]
        created = s.post(stack.url("/api/v1/time-entries"), json={
            "project_id": project["id"], "start_time": "2024-03-01T09:00:00Z", "end_time": "2024-03-01T10:00:00Z",
            "notes": "over the wire"}).json()["time_entry"]
        assert s.delete(stack.url(f"/api/v1/projects/{project['id']}")).status_code == 200  # archives it
        events = _wait(lambda: (got := receiver.events("/hook")) and len(got) >= 2 and got)
        time.sleep(1)  # nothing more arrives
        assert sorted(e["event"] for e in receiver.events("/hook")) == ["project.archived", "time_entry.created"]
        entry_event = next(e for e in events if e["event"] == "time_entry.created")
        assert entry_event["data"] == created
        receiver.verify([secret], "/hook")
        log = _wait(lambda: [d for d in s.get(stack.url(f"/api/v1/webhooks/{hook['id']}/deliveries")).json()[
            "deliveries"] if d["status"] == "delivered"])
        assert {d["event"] for d in log} == {"time_entry.created", "project.archived"}
        assert s.delete(stack.url(f"/api/v1/webhooks/{hook['id']}")).status_code == 204
