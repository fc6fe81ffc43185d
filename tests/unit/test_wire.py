"""Attribute values pass botocore as they are (shared/models/wire.py), and come out exactly as
botocore's own parser and serializer make them, for every attribute type, nested."""
import json

import botocore.session
from botocore import parsers, serialize

from shared.models import wire

ITEM = {
    "pk": {"S": "a"}, "n": {"N": "1.5"}, "b": {"B": b"\x00\x01bytes"}, "yes": {"BOOL": True}, "none": {"NULL": True},
    "ss": {"SS": ["x", "y"]}, "ns": {"NS": ["1", "2"]}, "bs": {"BS": [b"\x02", b"\x03"]},
    "l": {"L": [{"S": "é"}, {"N": "2"}, {"M": {"deep": {"L": [{"BOOL": False}, {"B": b"\xff"}]}}}]},
    "m": {"M": {"s": {"S": "“quoted”"}, "empty": {"M": {}}, "list": {"L": []}}},
}
MODEL = botocore.session.get_session().get_service_model("dynamodb")


def _request(serializer_class, operation: str, params: dict) -> dict:
    return json.loads(serializer_class().serialize_to_request(params, MODEL.operation_model(operation))["body"])


def _answer(parser_class, operation: str, body: dict) -> dict:
    response = {"status_code": 200, "headers": {}, "body": json.dumps(body).encode()}
    return parser_class().parse(response, MODEL.operation_model(operation).output_shape)


def test_requests_serialise_as_botocores_own():
    wire.install()
    assert serialize.SERIALIZERS["json"].attribute_values_as_they_are
    for operation, params in (
            ("PutItem", {"TableName": "t", "Item": ITEM}),
            ("BatchWriteItem", {"RequestItems": {"t": [{"PutRequest": {"Item": ITEM}}]}}),
            ("Query", {"TableName": "t", "KeyConditionExpression": "pk = :a", "ExpressionAttributeValues": {
                ":a": {"S": "a"}, ":b": {"B": b"\x01"}}, "ExclusiveStartKey": {"pk": {"S": "a"}}})):
        assert _request(serialize.SERIALIZERS["json"], operation, params) == \
            _request(serialize.JSONSerializer, operation, params)
    assert _request(serialize.SERIALIZERS["json"], "PutItem", {"TableName": "t", "Item": {"b": {"B": "text"}}}) == \
        _request(serialize.JSONSerializer, "PutItem", {"TableName": "t", "Item": {"b": {"B": "text"}}})


def test_answers_parse_as_botocores_own():
    wire.install()
    assert parsers.PROTOCOL_PARSERS["json"].attribute_values_as_they_are
    encoded = {name: wire.to_wire(value) for name, value in ITEM.items()}
    for operation, body in (("GetItem", {"Item": encoded}),
                            ("Query", {"Items": [encoded] * 2, "Count": 2, "LastEvaluatedKey": {"pk": {"S": "a"}}}),
                            ("BatchGetItem", {"Responses": {"t": [encoded]}, "UnprocessedKeys": {}})):
        fast = _answer(parsers.PROTOCOL_PARSERS["json"], operation, body)
        own = _answer(parsers.JSONParser, operation, body)
        fast.pop("ResponseMetadata", None)
        own.pop("ResponseMetadata", None)
        assert fast == own
    assert _answer(parsers.PROTOCOL_PARSERS["json"], "GetItem", {"Item": encoded})["Item"] == ITEM


def test_answers_without_binary_values_are_used_as_parsed_and_equal_botocores_own():
    wire.install()
    plain = {k: v for k, v in ITEM.items() if k not in ("b", "bs", "l")}
    plain["text"] = {"S": 'a "B": lookalike and \\"BS\\"'}  # in a string: escaped, so still no binary key
    body = {"Items": [plain] * 3, "Count": 3}
    fast = _answer(parsers.PROTOCOL_PARSERS["json"], "Query", body)
    own = _answer(parsers.JSONParser, "Query", body)
    fast.pop("ResponseMetadata", None)
    own.pop("ResponseMetadata", None)
    assert fast == own and fast["Items"][0] == plain
