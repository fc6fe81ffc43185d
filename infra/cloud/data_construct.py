"""DynamoDB: one table per storage model, defined by the models themselves
(shared/data/schema.py), so the cloud and the local stack have the same keys."""
from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from infra.cloud.capacity import IMPORT_WRITTEN
from shared.data.schema import TableSpec, all_table_specs

_TYPES = {"S": dynamodb.AttributeType.STRING, "N": dynamodb.AttributeType.NUMBER}
_STREAMS = {"NEW_AND_OLD_IMAGES": dynamodb.StreamViewType.NEW_AND_OLD_IMAGES}
# Rate-limit counters and idempotency records are disposable; everything else is the customer's data.
_DISPOSABLE = {"rate_limits", "idempotency"}


def _attr(key) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=key[0], type=_TYPES[key[1]])


class DataConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, warm_write_units: int | None = None):
        super().__init__(scope, construct_id)
        # Pre-warmed (infra/cloud/capacity.py): the tables an import writes, and their GSIs.
        warm = dynamodb.WarmThroughput(write_units_per_second=warm_write_units,
                                       read_units_per_second=3 * warm_write_units) if warm_write_units else None
        self.specs: dict[str, TableSpec] = {s.logical: s for s in all_table_specs()}
        self.tables: dict[str, dynamodb.Table] = {}
        for spec in self.specs.values():
            table = dynamodb.Table(
                self, spec.logical.replace("_", "-"),
                partition_key=_attr(spec.partition),
                sort_key=_attr(spec.sort) if spec.sort else None,
                billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
                point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                    point_in_time_recovery_enabled=True),
                encryption=dynamodb.TableEncryption.AWS_MANAGED,
                stream=_STREAMS.get(spec.stream_view_type or ""),
                time_to_live_attribute=spec.ttl_attribute,
                removal_policy=RemovalPolicy.DESTROY if spec.logical in _DISPOSABLE else RemovalPolicy.RETAIN,
                deletion_protection=spec.logical not in _DISPOSABLE,
                warm_throughput=warm if spec.logical in IMPORT_WRITTEN else None,
            )
            for index_name, pk, sk in spec.indexes:
                table.add_global_secondary_index(
                    index_name=index_name, partition_key=_attr(pk), sort_key=_attr(sk) if sk else None,
                    projection_type=dynamodb.ProjectionType.ALL,
                    warm_throughput=warm if spec.logical in IMPORT_WRITTEN else None,
                )
            self.tables[spec.logical] = table
