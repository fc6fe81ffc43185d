"""Webhooks' pure parts: which addresses may be called, the signatures, which events a change
makes and who receives them, and the retry schedule."""
import socket
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from shared.domain import Webhook
from shared.logic.webhook_events import Change, events_of, receives
from shared.webhooks import addresses, signing

NOW = datetime(2024, 1, 15, 9, 0, tzinfo=timezone.utc)


def _lookup(*answers):
    def lookup(host, port, type=0):  # noqa: A002 - socket.getaddrinfo's parameter name
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                for a in answers]
    return lookup


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "169.254.1.1", "100.64.0.1",
    "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "fd00:ec2::254", "fc00::1", "fe80::1", "::ffff:127.0.0.1",
    "::ffff:10.0.0.1", "::", "192.0.2.1", "198.18.0.1",
])
def test_internal_addresses_are_refused(address):
    assert not addresses.is_public(address)
    with pytest.raises(addresses.AddressRefused, match="not a public address"):
        addresses.resolve("https://hooks.example.com/in", lookup=_lookup(address))


def test_public_addresses_pass_and_the_checked_address_is_the_one_used():
    target = addresses.resolve("https://hooks.example.com:8443/in?x=1", lookup=_lookup("93.184.216.34",
                                                                                       "2606:2800:220:1::1"))
    assert target.addresses == ("93.184.216.34", "2606:2800:220:1::1")
    assert (target.host, target.port, target.path, target.host_header) == (
        "hooks.example.com", 8443, "/in?x=1", "hooks.example.com:8443")


def test_a_name_with_one_private_address_among_public_ones_is_refused():
    with pytest.raises(addresses.AddressRefused, match="10.0.0.7"):
        addresses.resolve("https://rebind.example.com/", lookup=_lookup("93.184.216.34", "10.0.0.7"))


@pytest.mark.parametrize("url,why", [
    ("http://hooks.example.com/", "https"), ("ftp://hooks.example.com/", "https"), ("https:///nohost", "https"),
    ("https://user:pw@hooks.example.com/", "Credentials"), ("https://hooks.example.com/#x", "fragment"),
    ("https://hooks.example.com:99999/", "valid"), ("", "characters"), ("https://x.com/" + "a" * 3000, "characters"),
])
def test_malformed_or_plain_http_urls_are_refused(url, why):
    with pytest.raises(addresses.AddressRefused, match=why):
        addresses.resolve(url, lookup=_lookup("93.184.216.34"))


def test_loopback_only_when_allowed_and_plain_http_only_to_loopback():
    with pytest.raises(addresses.AddressRefused):
        addresses.resolve("http://127.0.0.1:8080/hook", lookup=_lookup("127.0.0.1"))
    target = addresses.resolve("http://127.0.0.1:8080/hook", allow_loopback=True, lookup=_lookup("127.0.0.1"))
    assert target.addresses == ("127.0.0.1",) and target.scheme == "http"
    with pytest.raises(addresses.AddressRefused, match="https"):
        addresses.resolve("http://hooks.example.com/", allow_loopback=True, lookup=_lookup("93.184.216.34"))
    with pytest.raises(addresses.AddressRefused, match="not a public"):  # loopback never opens private ranges
        addresses.resolve("http://10.0.0.1/", allow_loopback=True, lookup=_lookup("10.0.0.1"))


def test_a_name_that_does_not_resolve_is_refused():
    def fail(*args, **kwargs):
        raise socket.gaierror("no such name")

    with pytest.raises(addresses.AddressRefused, match="could not be resolved"):
        addresses.resolve("https://nowhere.invalid/", lookup=fail)


def test_signatures_match_the_standard_webhooks_reference_vector():
    # The example in the Standard Webhooks specification (its reference libraries' tests use it).
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    got = signing.standard_signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
    assert got == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_headers_carry_both_signatures_and_every_secret_during_a_rotation():
    new, old = signing.new_secret(), signing.new_secret()
    assert new.startswith("whsec_") and len(new) > 40 and new != old
    body = b'{"id":"evt_1","event":"ping"}'
    headers = signing.headers([new, old], "evt_1", "ping", 1_700_000_000, body)
    lower = {k.lower(): v for k, v in headers.items()}
    for secret in (new, old):
        assert signing.verify_standard(secret, lower, body, now=1_700_000_010)
    assert not signing.verify_standard(new, lower, body, now=1_700_000_000 + 3600)  # a replay, an hour later
    assert not signing.verify_standard(signing.new_secret(), lower, body, now=1_700_000_000)
    assert signing.verify_timetracker(new, headers["X-Webhook-Signature"], body)
    assert not signing.verify_timetracker(old, headers["X-Webhook-Signature"], body)
    assert headers["User-Agent"] == "TimeTracker-Webhook/1.0" and headers["X-Webhook-ID"] == "evt_1"


class _Thing:
    def __init__(self, **values):
        self.__dict__.update(values)


def _present(kind, thing):
    return {k: v for k, v in thing.__dict__.items()}


def _entry(**values):
    return _Thing(**{"id": 1, "user_id": 7, "end_time": NOW, "notes": "a", "updated_at": NOW, **values})


def _names(kind, old, new):
    return [e.event for e in events_of(Change(kind, "rec-1", NOW, old, new), _present)]


def test_what_each_change_makes():
    assert _names("time_entry", None, _entry()) == ["time_entry.created"]
    assert _names("time_entry", None, _entry(end_time=None)) == ["time_entry.created", "time_entry.started"]
    assert _names("time_entry", _entry(end_time=None), _entry()) == ["time_entry.updated", "time_entry.stopped"]
    assert _names("time_entry", _entry(), None) == ["time_entry.deleted"]
    assert _names("time_entry", _entry(), _entry(updated_at=NOW + timedelta(1))) == []  # nothing visible changed
    project = _Thing(id=1, status="active", name="P")
    assert _names("project", project, _Thing(id=1, status="archived", name="P")) == ["project.updated",
                                                                                      "project.archived"]
    assert _names("project", _Thing(id=1, status="archived", name="P"), project) == ["project.updated",
                                                                                      "project.unarchived"]
    task = _Thing(id=1, status="todo")
    assert _names("task", task, _Thing(id=1, status="done")) == ["task.updated", "task.status_changed",
                                                                 "task.completed"]
    assert _names("client", None, _Thing(id=1)) == ["client.created"]
    assert _names("import", _Thing(id=1, status="processing", user_id=1), _Thing(id=1, status="partial",
                                                                                 user_id=1)) == ["import.completed"]
    assert _names("import", _Thing(id=1, status="processing", user_id=1), _Thing(id=1, status="processing",
                                                                                 user_id=1, rows=5)) == []
    assert _names("export", _Thing(id=1, status="processing", user_id=1), _Thing(id=1, status="failed",
                                                                                 user_id=1)) == ["export.failed"]
    webhook = _Thing(id=1, user_id=1, is_active=True, disabled_reason=None)
    assert _names("webhook", webhook, _Thing(id=1, user_id=1, is_active=False, disabled_reason="410")) == [
        "webhook.disabled"]
    assert _names("webhook", webhook, _Thing(id=1, user_id=1, is_active=False, disabled_reason=None)) == []


def test_event_ids_are_stable_per_record_and_distinct_per_event():
    change = Change("time_entry", "rec-1", NOW, _entry(end_time=None), _entry())
    first, again = events_of(change, _present), events_of(change, _present)
    assert [e.id for e in first] == [e.id for e in again] and len({e.id for e in first}) == 2
    assert all(e.id.startswith(f"evt_{int(NOW.timestamp()):010d}") for e in first)
    assert first[0].payload()["previous"] == {"end_time": None}


def test_who_receives_an_event():
    (event,) = events_of(Change("time_entry", "r", NOW, None, _entry()), _present)
    hook = Webhook(id=1, user_id=7, sees_all=False, name="h", url="https://x", events=("time_entry.created",),
                   description=None, is_active=True, disabled_reason=None, failing_since=None,
                   last_delivery_at=None, last_success_at=None, secret_rotated_at=None,
                   created_at=NOW - timedelta(hours=1), updated_at=NOW)
    assert receives(hook, event)
    assert not receives(replace(hook, user_id=8), event)  # another user's entry
    assert receives(replace(hook, user_id=8, sees_all=True), event)  # an admin's webhook
    assert not receives(replace(hook, events=("time_entry.deleted",)), event)
    assert receives(replace(hook, events=("*",)), event)
    assert not receives(replace(hook, is_active=False), event)
    assert not receives(replace(hook, created_at=NOW + timedelta(seconds=5)), event)  # before it existed
    (project,) = events_of(Change("project", "r", NOW, None, _Thing(id=3, status="active")), _present)
    assert receives(replace(hook, user_id=8, events=("*",)), project)  # the catalogue is everyone's


def test_the_default_retry_schedule_is_standard_webhooks(monkeypatch):
    from shared.settings import get_settings

    monkeypatch.delenv("WEBHOOK_RETRY_DELAYS")
    get_settings.cache_clear()
    try:
        assert get_settings().webhook_retry_delays == (5, 300, 1800, 7200, 18000, 36000, 36000)
        assert get_settings().webhook_disable_after_seconds == 3 * 24 * 3600
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_a_batch_reads_only_the_kinds_some_webhook_wants():
    from shared.logic.webhook_events import wanted_kinds

    def hook(*events):
        return _Thing(events=events)

    assert wanted_kinds([]) == set()
    assert wanted_kinds([hook("time_entry.created"), hook("task.completed", "import.failed")]) == {
        "time_entry", "task", "import"}
    assert wanted_kinds([hook("project.created"), hook("*")]) is None
