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

    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=local_aws.BUCKET)
    s3.put_object(Bucket=local_aws.BUCKET, Key="exports/a b.json", Body=b"{}", ContentType="application/json")
    aws.put_item(TableName="tt-counters", Item={"name": {"S": "project"}, "value": {"N": "7"}})
    counts = local_aws.save_snapshot(tmp_path / "snap")
    assert counts == {"items": 1, "objects": 1}
    aws.delete_item(TableName="tt-counters", Key={"name": {"S": "project"}})
    s3.delete_object(Bucket=local_aws.BUCKET, Key="exports/a b.json")
    assert local_aws.restore_snapshot(tmp_path / "snap") == {"items": 1, "objects": 1}
    assert aws.get_item(TableName="tt-counters", Key={"name": {"S": "project"}})["Item"]["value"] == {"N": "7"}
    got = s3.get_object(Bucket=local_aws.BUCKET, Key="exports/a b.json")
    assert got["Body"].read() == b"{}" and got["ContentType"] == "application/json"
    ddb_calls.pop("Scan")  # the snapshot scans by design: shutdown tooling, not a request path
