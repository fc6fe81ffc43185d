"""DynamoDB attribute values taken as they are on the wire, by botocore, both ways.

botocore parses an answer and serialises a request by walking its shape model down to
every attribute value: for a 1 MB Query page of time entries that walk costs more than
the request itself (about 0.1 ms per item, measured with bench/export_bench.py). An
``AttributeValue`` is already in the form both sides want ({"S": ...}, {"M": {...}},
...), so it is passed through, only binary values base64-encoded or decoded as
botocore's own code does. Everything else (structure, keys, errors) still goes through
botocore. tests/unit/test_wire.py checks every attribute type comes out exactly as
botocore's own code makes it. The local stack's emulator uses the same functions.
"""
from __future__ import annotations

import base64
import threading

_body = threading.local()  # whether the answer being parsed holds no binary value

_PLAIN = frozenset(("S", "N", "BOOL", "NULL", "SS", "NS"))  # the same on the wire and in botocore


def to_wire(value):
    """An attribute value as DynamoDB's JSON: from a dict shaped like the wire (binary values
    as bytes), or from an object with ``type`` and ``value`` (moto's DynamoType)."""
    if isinstance(value, dict):
        kind, inner = next(iter(value.items()))
    else:
        kind, inner = value.type, value.value
    if kind in _PLAIN:
        return {kind: inner}
    if kind == "M":
        return {"M": {k: to_wire(v) for k, v in inner.items()}}
    if kind == "L":
        return {"L": [to_wire(v) for v in inner]}
    if kind == "B":
        return {"B": _b64(inner)}
    if kind == "BS":
        return {"BS": [_b64(v) for v in inner]}
    return {kind: inner}


def _b64(value: bytes | str) -> str:
    return base64.b64encode(value.encode() if isinstance(value, str) else value).decode()


def from_wire(value: dict) -> dict:
    """An attribute value as botocore parses it: binary values decoded (others are the
    parsed JSON's own dicts, which nothing else holds)."""
    kind, inner = next(iter(value.items()))
    if kind in _PLAIN:
        return value
    if kind == "M":
        return {"M": {k: from_wire(v) for k, v in inner.items()}}
    if kind == "L":
        return {"L": [from_wire(v) for v in inner]}
    if kind == "B":
        return {"B": base64.b64decode(inner)}
    if kind == "BS":
        return {"BS": [base64.b64decode(v) for v in inner]}
    return {kind: inner}


def _is_value(shape, node) -> bool:
    return shape is not None and shape.name == "AttributeValue" and isinstance(node, dict) and len(node) == 1


def is_item(shape) -> bool:
    """A map of attribute names to values: an item, a key, expression values."""
    return getattr(shape, "type_name", None) == "map" and shape.value.name == "AttributeValue"


def is_item_list(shape) -> bool:
    return getattr(shape, "type_name", None) == "list" and is_item(shape.member)


def install() -> None:
    """Register the pass-through with botocore's JSON protocol (DynamoDB's); idempotent.
    Only shapes named AttributeValue are affected: DynamoDB's and its Streams'."""
    from botocore import parsers, serialize

    parser = parsers.PROTOCOL_PARSERS["json"]
    if not getattr(parser, "attribute_values_as_they_are", False):
        class JSONParser(parser):
            attribute_values_as_they_are = True

            def _handle_json_body(self, raw_body, shape):
                # An answer with no binary value anywhere (no "B"/"BS" key: in a string it would
                # read \"B\") needs no decoding at all: its items are used as parsed.
                _body.plain = bool(raw_body) and b'"B"' not in raw_body and b'"BS"' not in raw_body
                try:
                    return super()._handle_json_body(raw_body, shape)
                finally:
                    _body.plain = False

            def _parse_shape(self, shape, node):
                # A page of items in one comprehension: walking each item's map through
                # botocore's dispatch cost as much as the rest of the answer.
                if isinstance(node, list) and is_item_list(shape):
                    if getattr(_body, "plain", False):
                        return node
                    return [{k: from_wire(v) for k, v in item.items()} for item in node]
                if isinstance(node, dict) and is_item(shape):
                    return {k: from_wire(v) for k, v in node.items()}
                return from_wire(node) if _is_value(shape, node) else super()._parse_shape(shape, node)

        parsers.PROTOCOL_PARSERS["json"] = JSONParser
    serializer = serialize.SERIALIZERS["json"]
    if not getattr(serializer, "attribute_values_as_they_are", False):
        class JSONSerializer(serializer):
            attribute_values_as_they_are = True

            def _serialize(self, serialized, value, shape, key=None):
                if _is_value(shape, value):
                    serialized[key if key is not None else shape.name] = to_wire(value)
                    return
                super()._serialize(serialized, value, shape, key)

        serialize.SERIALIZERS["json"] = JSONSerializer
