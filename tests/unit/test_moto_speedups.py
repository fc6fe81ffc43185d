"""The local stack's fast DynamoDB request parsing and response encoding give exactly what
moto's own code gives: items of every attribute type, written and read back through each path."""
import boto3
from moto import mock_aws
from moto.core import parse, serialize

from infra.local import moto_speedups

ITEM = {
    "pk": {"S": "a"}, "n": {"N": "1.5"}, "b": {"B": b"\x00\x01bytes"}, "yes": {"BOOL": True}, "none": {"NULL": True},
    "ss": {"SS": ["x", "y"]}, "ns": {"NS": ["1", "2"]}, "bs": {"BS": [b"\x02", b"\x03"]},
    "l": {"L": [{"S": "é"}, {"N": "2"}, {"M": {"deep": {"L": [{"BOOL": False}, {"B": b"\xff"}]}}}]},
    "m": {"M": {"s": {"S": "“quoted”"}, "empty": {"M": {}}, "list": {"L": []}}},
}


def _responses():
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        ddb.create_table(TableName="t", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
        ddb.put_item(TableName="t", Item=ITEM)
        ddb.put_item(TableName="t", Item={"pk": {"S": "b"}})
        return [
            ddb.get_item(TableName="t", Key={"pk": {"S": "a"}})["Item"],
            ddb.query(TableName="t", KeyConditionExpression="pk = :a", ExpressionAttributeValues={
                ":a": {"S": "a"}})["Items"],
            sorted(ddb.scan(TableName="t")["Items"], key=lambda i: i["pk"]["S"]),
            ddb.batch_get_item(RequestItems={"t": {"Keys": [{"pk": {"S": "a"}}]}})["Responses"],
            ddb.update_item(TableName="t", Key={"pk": {"S": "a"}}, UpdateExpression="SET n = :n",
                            ExpressionAttributeValues={":n": {"N": "3"}}, ReturnValues="ALL_OLD")["Attributes"],
            len(ddb.get_item(TableName="t", Key={"pk": {"S": "b"}})["ResponseMetadata"]["RequestId"]) > 10,
            # An item's text is kept once read (moto_tables.item_json): each way of changing it is seen
            ddb.query(TableName="t", KeyConditionExpression="pk = :a", ExpressionAttributeValues={
                ":a": {"S": "a"}})["Items"],
            _changed_by_transaction(ddb),
            _changed_by_put(ddb),
        ]


def _changed_by_transaction(ddb) -> list:
    ddb.transact_write_items(TransactItems=[{"Update": {
        "TableName": "t", "Key": {"pk": {"S": "a"}}, "UpdateExpression": "SET n = n + :one REMOVE ss",
        "ExpressionAttributeValues": {":one": {"N": "1"}}}}])
    return ddb.scan(TableName="t", ConsistentRead=True)["Items"]


def _changed_by_put(ddb) -> list:
    ddb.put_item(TableName="t", Item={**ITEM, "n": {"N": "9"}})
    return ddb.batch_get_item(RequestItems={"t": {"Keys": [{"pk": {"S": "a"}}, {"pk": {"S": "b"}}]}})["Responses"]


def test_fast_parsing_and_encoding_equal_motos_own(monkeypatch):
    monkeypatch.setitem(serialize.SERVICE_SPECIFIC_SERIALIZERS, "dynamodb", {})
    monkeypatch.setitem(parse.PROTOCOL_PARSERS, "json", parse.JSONParser)
    reference = _responses()
    moto_speedups.install()
    assert serialize.get_serializer_class("dynamodb", "json").fast_attribute_values
    assert parse.PROTOCOL_PARSERS["json"].fast_attribute_values
    assert _responses() == reference
    assert reference[0]["b"] == {"B": b"\x00\x01bytes"} and reference[0]["l"]["L"][2]["M"]["deep"]["L"][1] == {
        "B": b"\xff"}


def test_the_fast_path_really_runs_and_can_be_turned_off(monkeypatch):
    monkeypatch.setitem(serialize.SERVICE_SPECIFIC_SERIALIZERS, "dynamodb", {})
    monkeypatch.setitem(parse.PROTOCOL_PARSERS, "json", parse.JSONParser)
    ran = {"parsed": 0, "wire": 0}
    for name, key in (("from_wire", "parsed"), ("to_wire", "wire")):
        original = getattr(moto_speedups, name)
        monkeypatch.setattr(moto_speedups, name, lambda v, _o=original, _k=key: (ran.__setitem__(_k, ran[_k] + 1),
                                                                                  _o(v))[1])
    assert moto_speedups.install() is True
    _responses()
    assert ran["parsed"] > 0 and ran["wire"] > 0  # requests and responses both took the fast path

    monkeypatch.setitem(serialize.SERVICE_SPECIFIC_SERIALIZERS, "dynamodb", {})
    monkeypatch.setitem(parse.PROTOCOL_PARSERS, "json", parse.JSONParser)
    monkeypatch.setenv(moto_speedups.DISABLE_ENV, "0")
    assert moto_speedups.install() is False
    assert not getattr(parse.PROTOCOL_PARSERS["json"], "fast_attribute_values", False)
    monkeypatch.delenv(moto_speedups.DISABLE_ENV)
    monkeypatch.setattr(moto_speedups, "WRITTEN_FOR", "0.0.1")
    assert moto_speedups.install() is False  # another moto: its own code, not a guess
