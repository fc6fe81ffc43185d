"""The Lambda functions behind the API: one per endpoint group (shared/routes.py),
Python 3.12 on arm64, sharing one layer (shared/ and its dependencies), each with
its own role that reaches only the tables it uses."""
from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Size
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as events_targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.cloud.access import ACCESS, OBJECTS, SEALS, SENDS_TO
from infra.cloud.capacity import chunk_worker_concurrency
from infra.cloud.data_construct import DataConstruct
from infra.cloud.nag import acknowledge, arn_token
from infra.cloud.queues_construct import WORKER_TIMEOUT, QueuesConstruct
from infra.cloud.storage_construct import StorageConstruct
from shared import routes
from shared.settings import BUCKET_ENV, QUEUE_ENV, TABLE_ENV

API_TIMEOUT = Duration.seconds(29)  # API Gateway's integration limit
# A backup's tables are spooled to /tmp before the header with their counts is written.
EPHEMERAL_STORAGE = {"export_worker": Size.gibibytes(4)}
# docs reads its sibling functions' route definitions, so it ships them all.
WHOLE_FUNCTIONS_DIR = {"docs"}


class FunctionsConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, data: DataConstruct, storage: StorageConstruct,
                 queues: QueuesConstruct, layer_code: lambda_.Code, functions_dir: str,
                 warm_write_units: int | None = None):
        super().__init__(scope, construct_id)
        self.layer = lambda_.LayerVersion(
            self, "Shared", code=layer_code,
            compatible_runtimes=[lambda_.Runtime.PYTHON_3_12],
            compatible_architectures=[lambda_.Architecture.ARM_64],
            description="shared/ (models, auth, logic, data access) and its dependencies",
        )
        # Third-party credentials of running imports (Toggl, Harvest), sealed; removed when the import ends.
        self.credentials_key = kms.Key(self, "CredentialsKey", enable_key_rotation=True,
                                       description="TimeTracker: third-party credentials of running imports")
        environment = {
            "CREDENTIALS_KEY_ID": self.credentials_key.key_arn,
            BUCKET_ENV: storage.bucket.bucket_name,
            **{env: queues.by_name[logical].queue_url for logical, env in QUEUE_ENV.items()},
            "POWERTOOLS_SERVICE_NAME": "timetracker",
            "POWERTOOLS_METRICS_NAMESPACE": "TimeTracker",
            "API_TOKEN_RATE_LIMIT_PER_MINUTE": "100",
            "API_TOKEN_RATE_LIMIT_PER_HOUR": "1000",
            **{TABLE_ENV[logical]: table.table_name for logical, table in data.tables.items()},
        }
        self.functions: dict[str, lambda_.Function] = {}
        for name in routes.functions():
            self.functions[name] = self._function(name, data, storage, queues, environment, functions_dir)
        # Workers: one function per event source's target, fed by its queue (partial batch failures reported).
        self.workers: dict[str, lambda_.Function] = {}
        for source in routes.EVENT_SOURCES:
            if source.function not in self.workers:
                self.workers[source.function] = self._function(source.function, data, storage, queues, environment,
                                                               functions_dir, timeout=WORKER_TIMEOUT)
            # The chunk workers' concurrency follows the tables' warm throughput (infra/cloud/capacity.py).
            concurrency = chunk_worker_concurrency(warm_write_units) if source.queue == "imports" else None
            self.workers[source.function].add_event_source(event_sources.SqsEventSource(
                queues.by_name[source.queue], batch_size=source.batch_size, report_batch_item_failures=True,
                max_concurrency=concurrency))
        # Stream consumers: fed by their tables' DynamoDB streams, in batches (webhook events).
        self.stream_consumers: dict[str, lambda_.Function] = {}
        for stream in routes.STREAM_SOURCES:
            if stream.function not in self.stream_consumers:
                self.stream_consumers[stream.function] = self._function(stream.function, data, storage, queues,
                                                                        environment, functions_dir)
            self.stream_consumers[stream.function].add_event_source(event_sources.DynamoEventSource(
                data.tables[stream.table], starting_position=lambda_.StartingPosition.LATEST,
                batch_size=stream.batch_size, max_batching_window=Duration.seconds(stream.batching_window_seconds),
                # A failing batch is halved until the bad record stands alone; its event ids are stable, so
                # retried records make the same events (the delivery log drops repeats).
                bisect_batch_on_error=True, retry_attempts=10, max_record_age=Duration.days(1)))
        # Functions on a timer: an EventBridge rule each (the local stack runs a thread instead).
        self.scheduled: dict[str, lambda_.Function] = {}
        for schedule in routes.SCHEDULES:
            fn = self._function(schedule.function, data, storage, queues, environment, functions_dir)
            events.Rule(self, f"{schedule.function}-schedule", schedule=events.Schedule.expression(
                schedule.expression), targets=[events_targets.LambdaFunction(fn)],
                description=f"TimeTracker: runs {schedule.function} ({schedule.expression})")
            self.scheduled[schedule.function] = fn

    def _function(self, name: str, data: DataConstruct, storage: StorageConstruct, queues: QueuesConstruct,
                  environment: dict, functions_dir: str, timeout: Duration | None = None) -> lambda_.Function:
        log_group = logs.LogGroup(self, f"{name}-logs", retention=logs.RetentionDays.ONE_MONTH,
                                  removal_policy=RemovalPolicy.DESTROY)
        role = iam.Role(self, f"{name}-role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                        description=f"TimeTracker {name} function")
        log_group.grant_write(role)
        for logical, actions in ACCESS[name].items():
            data.tables[logical].grant(role, *actions)
        for pattern, mode in OBJECTS.get(name, {}).items():
            # Writers may abort their own multipart uploads (a failed export leaves no parts behind).
            actions = {"read": ["s3:GetObject"], "write": ["s3:PutObject", "s3:AbortMultipartUpload"],
                       "read-write": ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
                       "manage": ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:DeleteObject"]}[mode]
            role.add_to_policy(iam.PolicyStatement(actions=actions,
                                                   resources=[storage.bucket.arn_for_objects(pattern)]))
        for queue in SENDS_TO.get(name, ()):
            queues.by_name[queue].grant_send_messages(role)
        if name in SEALS:
            self.credentials_key.grant(role, *SEALS[name])
        whole = name in WHOLE_FUNCTIONS_DIR
        fn = lambda_.Function(
            self, name,
            runtime=lambda_.Runtime.PYTHON_3_12,
            architecture=lambda_.Architecture.ARM_64,
            handler=f"{name}.handler.lambda_handler" if whole else "handler.lambda_handler",
            code=lambda_.Code.from_asset(functions_dir if whole else f"{functions_dir}/{name}",
                                         exclude=["**/__pycache__", "*.pyc"]),
            layers=[self.layer],
            role=role,
            log_group=log_group,
            memory_size=512,
            timeout=timeout or API_TIMEOUT,
            ephemeral_storage_size=EPHEMERAL_STORAGE.get(name),
            tracing=lambda_.Tracing.ACTIVE,
            environment=environment,
        )
        findings = {
            f"AwsSolutions-IAM5[Resource::{arn_token(data.tables[logical])}/index/*]":
                f"Queries on the {logical} table's own global secondary indexes; nothing outside that table."
            for logical in ACCESS[name] if data.specs[logical].indexes
        }
        for pattern in OBJECTS.get(name, {}):
            findings[f"AwsSolutions-IAM5[Resource::{arn_token(storage.bucket)}/{pattern}]"] = (
                f"Objects under the {pattern} prefix of the data bucket only (one object per import).")
        findings["AwsSolutions-IAM5[Resource::*]"] = (
            "Active tracing: X-Ray's PutTraceSegments/PutTelemetryRecords have no resource-level permissions.")
        acknowledge(role, findings)
        acknowledge(fn, {
            "AwsSolutions-L1": "Python 3.12 is the runtime the product's design card fixes; moving is a product "
                               "decision.",
        })
        return fn


