"""Make the embedded DynamoDB answer reads at a useful speed, with the same bytes.

moto encodes every response by walking botocore's shape model down to each attribute
value, about 3 ms per item of a time entry's size: a 1 MB Query page took seconds and
a 100,000-entry export minutes, all of it in the emulator. In moto's model an item's
attributes already hold DynamoDB's wire form ({"S": ...}, {"M": {...}}, ...), so an
``AttributeValue`` is written as it is; everything else (structure, counts, keys of
pages, errors) still goes through moto's serializer. tests/unit/test_moto_speedups.py
checks the output equals moto's own for every attribute type.
"""
from __future__ import annotations

import base64


def _wire(value):
    """An attribute value as DynamoDB's JSON, from moto's DynamoType or a dict already shaped
    like the wire (binary values, wherever they are nested, become base64)."""
    if isinstance(value, dict):
        kind, inner = next(iter(value.items()))
    else:
        kind, inner = value.type, value.value
    if kind == "M":
        return {"M": {k: _wire(v) for k, v in inner.items()}}
    if kind == "L":
        return {"L": [_wire(v) for v in inner]}
    if kind == "B":
        return {"B": _b64(inner)}
    if kind == "BS":
        return {"BS": [_b64(v) for v in inner]}
    return {kind: inner}


def _b64(value) -> str:
    return base64.b64encode(value).decode() if isinstance(value, bytes) else value


def install() -> None:
    """Register the fast serializer for DynamoDB's JSON protocol (idempotent)."""
    from moto.core import serialize

    current = serialize.get_serializer_class("dynamodb", "json")
    if getattr(current, "fast_attribute_values", False):
        return

    class DynamoDBSerializer(current):
        fast_attribute_values = True

        def _serialize(self, serialized, value, shape, key):
            if shape.name == "AttributeValue":
                serialized[self.get_serialized_name(shape, key)] = _wire(value)
                return
            super()._serialize(serialized, value, shape, key)

    serialize.SERVICE_SPECIFIC_SERIALIZERS.setdefault("dynamodb", {})["json"] = DynamoDBSerializer
