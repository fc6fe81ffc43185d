"""The local stand-in for Lambda's DynamoDB Streams event source mappings: read a table's
stream from the emulator (moto serves DynamoDB Streams), hand the records to the consumer
in the event shape Lambda gives it, and move on only when the consumer succeeded (a
failing batch is retried, then skipped with a log line, as a mapping with a retry limit).

moto keeps every stream record and every shard iterator it ever made, for as long as the
process lives: with imports of thousands of rows that is the local stack's memory. So,
once a batch is consumed, the poller drops the consumed records and the used iterators
from the emulator's own state (in-process; only the local stack and the tests do this),
and it calls GetRecords only when the shard holds records, so an idle stack is quiet.
"""
from __future__ import annotations

import threading
import time
from typing import Callable

MAX_TRIES = 3  # a batch the consumer fails this often is skipped (Lambda: retry_attempts)
IDLE_WAIT_SECONDS = 0.2  # Lambda polls a shard about four times a second


def lambda_record(record: dict, stream_arn: str) -> dict:
    """A record as GetRecords answers it -> as Lambda hands it to a function."""
    change = dict(record["dynamodb"])
    at = change.get("ApproximateCreationDateTime")
    change["ApproximateCreationDateTime"] = at.timestamp() if hasattr(at, "timestamp") else float(at or time.time())
    return {**{k: v for k, v in record.items() if k != "dynamodb"}, "dynamodb": change,
            "eventSourceARN": stream_arn}


def _moto_state(table_name: str):
    """(the table's stream shard, the streams backend) in the emulator's memory."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    from infra.local.aws import REGION

    table = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].get_table(table_name)
    return table.stream_shard, dynamodbstreams_backends[DEFAULT_ACCOUNT_ID][REGION]


class StreamPoller(threading.Thread):
    def __init__(self, table_name: str, invoke: Callable[[dict], object], batch_size: int = 100,
                 lock=None, log=print):
        super().__init__(daemon=True, name=f"stream:{table_name}")
        import boto3

        self.table_name = table_name
        self.invoke = invoke
        self.batch_size = batch_size
        self.lock = lock  # the emulator's DynamoDB lock, held while its state is trimmed
        self.log = log
        self.stopped = threading.Event()
        self.streams = boto3.client("dynamodbstreams")
        self.stream_arn = boto3.client("dynamodb").describe_table(TableName=table_name)["Table"]["LatestStreamArn"]
        shard = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"][0]["ShardId"]
        self.iterator = self.streams.get_shard_iterator(StreamArn=self.stream_arn, ShardId=shard,
                                                        ShardIteratorType="LATEST")["ShardIterator"]
        self._trim(None)  # what happened before the stack started (a restore writes nothing to it)
        self.tries = 0

    def stop(self) -> None:
        self.stopped.set()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                if not self._pending() or not self.poll_once():
                    self.stopped.wait(IDLE_WAIT_SECONDS)
            except Exception as exc:  # keep polling, as the managed mapping would
                self.log(f"{self.name}: {exc!r}")
                self.stopped.wait(1)

    def poll_once(self) -> int:
        """Hand the next batch to the consumer; returns how many records it held."""
        answer = self.streams.get_records(ShardIterator=self.iterator, Limit=self.batch_size)
        records = answer.get("Records", [])
        if records:
            try:
                self.invoke({"Records": [lambda_record(r, self.stream_arn) for r in records]})
            except Exception as exc:
                self.tries += 1
                if self.tries < MAX_TRIES:
                    self._forget(answer["NextShardIterator"])
                    raise
                self.log(f"{self.name}: skipped {len(records)} records after {MAX_TRIES} failures: {exc!r}")
        self.tries = 0
        used, self.iterator = self.iterator, answer["NextShardIterator"]
        self._forget(used)
        if records:
            self._trim(int(records[-1]["dynamodb"]["SequenceNumber"]))
        return len(records)

    def _pending(self) -> bool:
        """Whether the shard holds records: consumed ones are trimmed, so any left are new. Read
        in-process, so an idle stack makes no GetRecords calls at all."""
        shard, _ = _moto_state(self.table_name)
        return bool(shard is not None and shard.items)

    def _forget(self, iterator: str) -> None:
        _, backend = _moto_state(self.table_name)
        backend.shard_iterators.pop(iterator, None)

    def _trim(self, through: int | None) -> None:
        """Drop the records up to ``through`` (all, when None) from the emulator's shard."""
        shard, _ = _moto_state(self.table_name)
        if shard is None:
            return
        with self.lock or _NoLock():
            count = len(shard.items) if through is None else through - shard.starting_sequence_number + 1
            count = max(0, min(count, len(shard.items)))
            # Sequence numbers are the shard's start plus the record's index: move both together.
            del shard.items[:count]
            shard.starting_sequence_number += count


class _NoLock:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
