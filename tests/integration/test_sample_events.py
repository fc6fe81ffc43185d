"""The sample events in events/ are documentation: keep them working with their handlers."""
import json
from pathlib import Path

import pytest

from shared import routes
from tests.integration.conftest import invoke

EVENTS = Path(__file__).resolve().parents[2] / "events"
# Writes first, so the reads and updates find what they refer to; stopping the timer last.
FIRST = ["clients_create", "projects_create", "tasks_create", "users_create", "api_tokens_create",
         "time_entries_create", "time_entries_import_csv", "timer_start", "exports_gdpr"]
LAST = ["timer_stop"]
# Statuses other than 200/201 that are right here: the sequence runs no asynchronous import.
EXPECTED = {"imports_status": 404, "exports_gdpr": 202}


def _ordered():
    names = sorted(p.stem for p in EVENTS.glob("*.json"))
    return [n for n in FIRST if n in names] + [n for n in names if n not in FIRST + LAST] + LAST


def _is_sqs(event: dict) -> bool:
    return "Records" in event and event["Records"][0].get("eventSource") == "aws:sqs"


def _stream_source(name: str, event: dict):
    """The routes.STREAM_SOURCES entry a DynamoDB Streams event is for, or None."""
    if "Records" not in event or event["Records"][0].get("eventSource") != "aws:dynamodb":
        return None
    from shared.data.stream_images import table_of
    from shared.settings import get_settings

    logical = {v: k for k, v in get_settings().tables.items()}[table_of(event["Records"][0]["eventSourceARN"])]
    return next(s for s in routes.STREAM_SOURCES if s.table == logical and name.startswith(s.function))


def _scheduled(name: str, event: dict) -> str | None:
    """The scheduled function an EventBridge Scheduled Event is for, or None."""
    if event.get("detail-type") != "Scheduled Event":
        return None
    return next(s.function for s in routes.SCHEDULES if name.startswith(s.function))


@pytest.mark.parametrize("name", [pytest.param(n, id=n) for n in _ordered()])
def test_sample_event_is_an_event_of_a_known_route_or_queue(name):
    event = json.loads((EVENTS / f"{name}.json").read_text())
    if _scheduled(name, event) or _stream_source(name, event):
        return
    if _is_sqs(event):
        queue = event["Records"][0]["eventSourceARN"].rsplit(":", 1)[-1].removeprefix("tt-")
        assert any(s.queue == queue and name.startswith(s.function) for s in routes.EVENT_SOURCES)
        return
    resource, _, _ = routes.gateway_match(event["path"])  # the API Gateway resource, as the CDK app makes it
    assert event["resource"] == resource and event["requestContext"]["resourcePath"] == resource
    assert routes.find(event["httpMethod"], routes.match_path(event["path"])[0]) is not None


def test_every_sample_event_succeeds_on_its_handler(admin_token):
    for name in _ordered():
        event = json.loads((EVENTS / f"{name}.json").read_text().replace("$TT_ADMIN_TOKEN", admin_token))
        if _scheduled(name, event):
            assert invoke(_scheduled(name, event), event) == {"started": []}, name  # no connection is due
            continue
        if _stream_source(name, event):  # no webhook is subscribed: the record is not even read
            assert invoke(_stream_source(name, event).function, event) == {"events": 0, "deliveries": 0}, name
            continue
        if _is_sqs(event):
            queue = event["Records"][0]["eventSourceARN"].rsplit(":", 1)[-1].removeprefix("tt-")
            worker = next(s.function for s in routes.EVENT_SOURCES if s.queue == queue)
            assert invoke(worker, event) == {"batchItemFailures": []}, name
            continue
        function = routes.gateway_match(event["path"])[1]
        result = invoke(function, event)
        assert result["statusCode"] in ((EXPECTED[name],) if name in EXPECTED else (200, 201)), (name, result["body"])
