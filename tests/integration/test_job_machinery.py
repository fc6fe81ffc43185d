"""The job machinery against moto: messages reach their own queue, the data layer holds
the status table, workers refuse what is not theirs, settling a dead letter is counted."""
import json

import boto3
import pytest

from infra.local.pollers import QueuePoller
from shared.data import exports as exports_data
from shared.data import imports as imports_data
from shared.data import work_queue
from shared.jobs.messages import BuildExport, SplitImport, UndoImport
from shared.jobs.status import IllegalTransition, ImportStatus
from tests.integration.conftest import invoke


def _bodies(queue: str) -> list[dict]:
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in got]


def _pending_import(user_id: int = 1) -> int:
    import_id = imports_data.new_import_id()
    imports_data.put_import(import_id, {"user_id": user_id, "type": "autodetect", "object_key": "x"})
    return import_id


def test_each_message_goes_to_its_own_queue(aws):
    work_queue.send([BuildExport(41), SplitImport(7), UndoImport(7, 1000)])
    assert _bodies("tt-exports") == [{"kind": "export", "export_id": 41}]
    assert sorted(_bodies("tt-imports"), key=lambda b: b["kind"]) == [
        {"kind": "split", "import_id": 7}, {"kind": "undo", "import_id": 7, "offset": 1000}]


def test_an_illegal_transition_raises_before_anything_is_written(aws):
    import_id = _pending_import()
    with pytest.raises(IllegalTransition):
        imports_data.set_status(import_id, ImportStatus.UNDONE, when=(ImportStatus.PENDING,))
    with pytest.raises(IllegalTransition):
        imports_data.set_status(import_id, ImportStatus.PENDING)
    assert imports_data.get_import(import_id).status is ImportStatus.PENDING


def test_a_legal_move_from_another_state_changes_nothing(aws):
    import_id = _pending_import()
    assert imports_data.set_status(import_id, ImportStatus.UNDOING) is False  # pending: not finished yet
    assert imports_data.fail_import(import_id, "broken") is True
    assert imports_data.fail_import(import_id, "again") is False  # failed is final
    job = imports_data.get_import(import_id)
    assert (job.status, job.message) == (ImportStatus.FAILED, "broken")


def test_a_message_on_another_kinds_queue_is_dropped_not_run(aws):
    export_id = exports_data.new_export_id()
    exports_data.put_export(export_id, {"user_id": 1, "export_type": "gdpr", "export_format": "json",
                                        "filename": "f.json", "object_key": "exports/f.json"})
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName="tt-imports")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=BuildExport(export_id).encode())
    sqs.send_message(QueueUrl=url, MessageBody='{"kind": "no such kind"}')
    poller = QueuePoller(sqs, url, lambda event: invoke("import_worker", event), log=lambda *_: None)
    assert poller.poll_once(wait_seconds=0) == 2
    assert poller.poll_once(wait_seconds=0) == 0  # both deleted: no retry can help them
    assert exports_data.get_export(export_id).status == "pending"


def test_settling_a_dead_letter_emits_a_metric_naming_its_kind(aws, capsys):
    import_id = _pending_import()
    sqs = boto3.client("sqs")
    dlq = sqs.create_queue(QueueName="tt-imports_dlq")["QueueUrl"]
    sqs.send_message(QueueUrl=dlq, MessageBody=SplitImport(import_id).encode())
    capsys.readouterr()
    poller = QueuePoller(sqs, dlq, lambda event: invoke("import_dead_letters", event), log=lambda *_: None)
    assert poller.poll_once(wait_seconds=0) == 1
    assert imports_data.get_import(import_id).status == "failed"
    metrics = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    settled = [m for m in metrics if "DeadLettersSettled" in m]
    assert len(settled) == 1 and settled[0]["kind"] == "split" and settled[0]["DeadLettersSettled"] == [1.0]
    directive = settled[0]["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "TimeTracker" and directive["Dimensions"] == [["service", "kind"]]
