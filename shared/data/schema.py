"""Table definitions derived from the storage models, so the CDK app and the
local stack create exactly the tables the code reads."""
from __future__ import annotations

from dataclasses import dataclass

Key = tuple[str, str]  # (attribute name, DynamoDB type "S" | "N")


@dataclass(frozen=True)
class TableSpec:
    logical: str
    name: str
    partition: Key
    sort: Key | None
    indexes: tuple[tuple[str, Key, Key | None], ...]
    ttl_attribute: str | None
    stream_view_type: str | None

    def create_table_args(self) -> dict:
        """Arguments for DynamoDB CreateTable (on-demand), as the local stack uses them."""
        types = {self.partition[0]: self.partition[1]}

        def key_schema(pk: Key, sk: Key | None) -> list[dict]:
            types[pk[0]] = pk[1]
            schema = [{"AttributeName": pk[0], "KeyType": "HASH"}]
            if sk:
                types[sk[0]] = sk[1]
                schema.append({"AttributeName": sk[0], "KeyType": "RANGE"})
            return schema

        args: dict = {"TableName": self.name, "KeySchema": key_schema(self.partition, self.sort),
                      "BillingMode": "PAY_PER_REQUEST"}
        gsis = [{"IndexName": n, "KeySchema": key_schema(pk, sk), "Projection": {"ProjectionType": "ALL"}}
                for n, pk, sk in self.indexes]
        if gsis:
            args["GlobalSecondaryIndexes"] = gsis
        if self.stream_view_type:
            args["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": self.stream_view_type}
        args["AttributeDefinitions"] = [{"AttributeName": k, "AttributeType": t} for k, t in types.items()]
        return args


def table_spec(logical: str, model) -> TableSpec:
    schema = model._get_schema()
    types = {d["AttributeName"]: d["AttributeType"] for d in schema["attribute_definitions"]}

    def keys(key_schema: list[dict]) -> tuple[Key, Key | None]:
        by_type = {k["KeyType"]: k["AttributeName"] for k in key_schema}
        sort = by_type.get("RANGE")
        return (by_type["HASH"], types[by_type["HASH"]]), ((sort, types[sort]) if sort else None)

    partition, sort = keys(schema["key_schema"])
    indexes = tuple(sorted((g["index_name"], *keys(g["key_schema"])) for g in schema["global_secondary_indexes"]))
    ttl = model._ttl_attribute()
    return TableSpec(
        logical=logical,
        name=model.Meta.table_name,
        partition=partition,
        sort=sort,
        indexes=indexes,
        ttl_attribute=ttl.attr_name if ttl else None,
        stream_view_type=getattr(model.Meta, "stream_view_type", None),
    )


def all_table_specs() -> list[TableSpec]:
    from shared.models import all_models

    return [table_spec(logical, model) for logical, model in all_models().items()]
