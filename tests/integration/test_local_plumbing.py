"""The local stack's stand-ins and bookkeeping: SQS pollers (event source mappings), id blocks, snapshots."""
import json

import boto3
import pytest
from moto import mock_aws

from infra.local import pollers
from infra.local.pollers import QueuePoller


@pytest.fixture
def queue(monkeypatch):
    monkeypatch.setattr(pollers, "REDELIVERY_DELAY_SECONDS", 0)
    with mock_aws():
        sqs = boto3.client("sqs")
        dlq = sqs.create_queue(QueueName="work-dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        url = sqs.create_queue(QueueName="work", Attributes={"RedrivePolicy": json.dumps(
            {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"})})["QueueUrl"]
        yield sqs, url, dlq


def test_poller_feeds_batches_deletes_successes_and_retries_reported_failures(queue):
    sqs, url, dlq = queue
    for body in ("ok-1", "poison", "ok-2"):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    seen = []

    def worker(event):
        seen.extend(r["body"] for r in event["Records"])
        assert all(r["eventSource"] == "aws:sqs" and r["receiptHandle"] for r in event["Records"])
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"]
                                      if r["body"] == "poison"]}

    poller = QueuePoller(sqs, url, worker, batch_size=10, log=lambda *_: None)
    for _ in range(6):
        poller.poll_once(wait_seconds=0)
    assert sorted(set(seen)) == ["ok-1", "ok-2", "poison"]
    assert seen.count("ok-1") == 1 and seen.count("poison") == 2  # retried up to maxReceiveCount
    moved = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10).get("Messages", [])
    assert [m["Body"] for m in moved] == ["poison"]
    assert not sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages")


def test_a_worker_crash_returns_the_whole_batch(queue):
    sqs, url, _ = queue
    sqs.send_message(QueueUrl=url, MessageBody="a")
    calls = []

    def crashing(event):
        calls.append(len(event["Records"]))
        raise RuntimeError("boom")

    poller = QueuePoller(sqs, url, crashing, log=lambda *_: None)
    poller.poll_once(wait_seconds=0)
    poller.poll_once(wait_seconds=0)
    assert calls == [1, 1]


def test_bulk_writers_reserve_contiguous_id_blocks(aws):
    from shared.data import counters

    first = counters.reserve_ids("entry", 500)
    assert list(first) == list(range(1, 501))
    assert counters.next_id("entry") == 501
    assert list(counters.reserve_ids("entry", 3)) == [502, 503, 504]
    assert counters.next_id("other") == 1


def test_snapshot_round_trip(aws, ddb_calls, tmp_path):
    from infra.local import aws as local_aws
    from infra.local.snapshots import Snapshots

    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=local_aws.BUCKET)
    s3.put_object(Bucket=local_aws.BUCKET, Key="exports/a b.json", Body=b"{}", ContentType="application/json")
    aws.put_item(TableName="tt-counters", Item={"name": {"S": "project"}, "value": {"N": "7"}})
    item = {"id": {"N": "1"}, "blob": {"B": b"\x00\xff"}, "deep": {"M": {"l": {"L": [{"BS": [b"\x01"]}]}}}}
    aws.put_item(TableName="tt-restores", Item=item)
    counts = Snapshots(tmp_path / "snap").save()
    assert counts == {"items": 2, "objects": 1} and not ddb_calls["Scan"]  # read in-process, not over the API
    aws.delete_item(TableName="tt-counters", Key={"name": {"S": "project"}})
    aws.delete_item(TableName="tt-restores", Key={"id": {"N": "1"}})
    s3.delete_object(Bucket=local_aws.BUCKET, Key="exports/a b.json")
    assert Snapshots(tmp_path / "snap").restore() == {"items": 2, "objects": 1}
    assert aws.get_item(TableName="tt-counters", Key={"name": {"S": "project"}})["Item"]["value"] == {"N": "7"}
    assert aws.get_item(TableName="tt-restores", Key={"id": {"N": "1"}})["Item"] == item
    got = s3.get_object(Bucket=local_aws.BUCKET, Key="exports/a b.json")
    assert got["Body"].read() == b"{}" and got["ContentType"] == "application/json"


def test_snapshots_save_only_what_changed_and_restore_emits_no_stream_records(aws, tmp_path):
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    from infra.local.snapshots import Snapshots

    boto3.client("s3").put_object(Bucket="tt-data", Key="uploads/x.csv", Body=b"a,b")
    aws.put_item(TableName="tt-counters", Item={"name": {"S": "project"}, "value": {"N": "7"}})
    snapshots = Snapshots(tmp_path / "snap")
    snapshots.save()
    files = {p.name: p.stat().st_ino for p in (tmp_path / "snap").rglob("*.*")}
    assert snapshots.save() == {"items": 1, "objects": 1}  # nothing changed: nothing written
    assert {p.name: p.stat().st_ino for p in (tmp_path / "snap").rglob("*.*")} == files
    aws.put_item(TableName="tt-restores", Item={"id": {"N": "3"}, "status": {"S": "pending"}})
    assert snapshots.save() == {"items": 2, "objects": 1}
    again = {p.name: p.stat().st_ino for p in (tmp_path / "snap").rglob("*.*")}
    assert again["tt-counters.jsonl"] == files["tt-counters.jsonl"]  # linked, not rewritten
    assert again["0.bin"] == files["0.bin"] and again["tt-restores.jsonl"] != files["tt-restores.jsonl"]
    # Restoring into a streaming table makes no stream records: the data did not change, it came back.
    aws.put_item(TableName="tt-time_entries", Item={"id": {"N": "5"}, "org": {"S": "default"}, "user_id": {"N": "1"},
                                                    "start_key": {"S": "2024"}})
    snapshots.save()
    table = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].tables["tt-time_entries"]
    aws.delete_item(TableName="tt-time_entries", Key={"id": {"N": "5"}})
    records = len(table.stream_shard.items)
    assert Snapshots(tmp_path / "snap").restore()["items"] == 3
    assert len(table.stream_shard.items) == records


def test_the_workers_process_that_cannot_start_says_so(monkeypatch):
    """No emulator at the endpoint: `make run` stops with the workers' own error, not a stack without workers."""
    from infra.local.aws import free_port
    from infra.local.workers import WorkerProcess

    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    lines = []
    with pytest.raises(RuntimeError, match="the queue workers did not start"):
        WorkerProcess(lines.append).start(timeout=60)
    assert any("EndpointConnectionError" in line or "Could not connect" in line for line in lines), lines
