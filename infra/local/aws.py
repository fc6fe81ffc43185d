"""The embedded AWS: moto's server mode on loopback, provisioned with the same
tables (derived from the storage models), bucket and queues the CDK app creates
(their data is kept under .local/ by snapshots.py)."""
from __future__ import annotations

import json
import socket
import threading

from werkzeug.serving import make_server

REGION = "us-east-1"
BUCKET = "tt-data"
MAX_RECEIVES = 3  # before a message moves to its queue's DLQ ("<name>_dlq"), as in the CDK app


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class _Serialized:
    """One DynamoDB (or DynamoDB Streams) request at a time into moto. DynamoDB serialises writes to an item
    (what conditional counters and transactions rely on); moto's backends take no locks
    of their own. Other services pass straight through: an SQS long poll waits inside
    its request and must not hold up everything else."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()
        self.calls = None  # a Counter of DynamoDB operations, when someone counts (the benches)

    def __call__(self, environ, start_response):
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if not target.startswith("DynamoDB"):  # and DynamoDBStreams_
            return self.app(environ, start_response)
        with self.lock:
            if self.calls is not None and target.startswith("DynamoDB_"):
                self.calls[target.rpartition(".")[2]] += 1
            return list(self.app(environ, start_response))


class MotoServer:
    def __init__(self, host: str = "127.0.0.1", port: int | None = None):
        import logging

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per AWS call is noise
        from infra.local import moto_speedups

        moto_speedups.install()
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app

        self.app = app = _Serialized(DomainDispatcherApplication(create_backend_app))
        self.dynamodb_lock = app.lock  # held by a DynamoDB request, and by a snapshot while it forks
        self.server = make_server(host, port or free_port(host), app, threaded=True, request_handler=MotoRequestHandler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True, name="moto")

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def count_calls(self, calls) -> None:
        """Count every DynamoDB request from now on into ``calls`` (a Counter), from any process."""
        self.app.calls = calls

    def start(self) -> "MotoServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


def aws_environment(endpoint: str) -> dict[str, str]:
    """What every function and client in the local stack sees; the same variable
    names the CDK app sets on the Lambda functions."""
    from shared.settings import BUCKET_ENV, TABLE_ENV

    env = {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        BUCKET_ENV: BUCKET,
        "POWERTOOLS_METRICS_NAMESPACE": "TimeTracker",
        "POWERTOOLS_METRICS_DISABLED": "true",  # CloudWatch reads metrics from log lines; a console does not
        # moto serialises a 1 MB Query page in seconds, not milliseconds; let it finish.
        "DYNAMODB_READ_TIMEOUT_SECONDS": "120",
    }
    env.update({var: f"tt-{logical}" for logical, var in TABLE_ENV.items()})
    return env


def provision() -> dict[str, str]:
    """Create tables, bucket and queues that do not exist yet; returns the queue URL variables."""
    import boto3

    from shared.data.schema import all_table_specs

    ddb = boto3.client("dynamodb")
    existing = set(ddb.list_tables()["TableNames"])
    for spec in all_table_specs():
        if spec.name not in existing:
            ddb.create_table(**spec.create_table_args())
            if spec.ttl_attribute:
                ddb.update_time_to_live(TableName=spec.name, TimeToLiveSpecification={
                    "Enabled": True, "AttributeName": spec.ttl_attribute})
    s3 = boto3.client("s3")
    if BUCKET not in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
        s3.create_bucket(Bucket=BUCKET)
    ensure_credentials_key()
    sqs = boto3.client("sqs")
    from shared.settings import QUEUE_ENV

    urls = {}
    for logical, env_var in QUEUE_ENV.items():
        dlq_url = sqs.create_queue(QueueName=f"tt-{logical}_dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(MAX_RECEIVES)})
        urls[env_var] = sqs.create_queue(QueueName=f"tt-{logical}", Attributes={
            "VisibilityTimeout": "60", "RedrivePolicy": redrive})["QueueUrl"]
    return urls


def ensure_credentials_key() -> None:
    """The KMS key (moto's) that seals third-party credentials, under the alias the settings name."""
    import boto3

    from shared.settings import get_settings

    alias = get_settings().credentials_key
    kms = boto3.client("kms")
    if any(a["AliasName"] == alias for a in kms.list_aliases()["Aliases"]):
        return
    key = kms.create_key(Description="TimeTracker: third-party credentials of running imports")
    kms.create_alias(AliasName=alias, TargetKeyId=key["KeyMetadata"]["KeyId"])
