"""Make the embedded DynamoDB read and answer at a useful speed, with the same bytes.

moto parses every request and encodes every response by walking botocore's shape model
down to each attribute value: about 3 ms per item of a time entry's size, so a 1 MB
Query page took seconds and a 100,000-entry export minutes, all of it in the emulator.
An ``AttributeValue`` already is DynamoDB's wire form ({"S": ...}, {"M": {...}}, ...)
on both sides, so it is taken and written as it is (shared/models/wire.py: binary values
base64-decoded and encoded as moto's own code does); everything else (structure, keys, counts, errors)
still goes through moto. A page of items is written from each item's JSON text, made
once per stored item and kept until a write changes it (moto_tables.item_json), so a
page read again costs no encoding. tests/unit/test_moto_speedups.py checks that requests
and responses of every attribute type, and of items changed each way after being read,
come out exactly as with moto's own code. Every request also finds its service once per
host, not by listing moto's package directory (_routing_once).
"""
from __future__ import annotations

import json
import os
import secrets

from infra.local import moto_tables
from shared.models.wire import from_wire, is_item, is_item_list, to_wire

WRITTEN_FOR = "5.2.5"  # the moto whose parser and serializer this reaches into (requirements/run.txt)
DISABLE_ENV = "TT_MOTO_SPEEDUPS"  # "0": moto's own code, at moto's own speed


def enabled() -> tuple[bool, str]:
    """Whether to install, and why not: turned off, or a moto this was not written for."""
    import moto

    if os.environ.get(DISABLE_ENV, "1") == "0":
        return False, f"{DISABLE_ENV}=0"
    if moto.__version__ != WRITTEN_FOR:
        return False, f"moto {moto.__version__} is not {WRITTEN_FOR}, the version the speed-up was checked against"
    return True, ""


def install() -> bool:
    """Register the fast parser and serializer for DynamoDB's JSON protocol and moto's tables
    at scale (idempotent); False (moto's own code stays) when turned off or on another moto
    version."""
    ok, why = enabled()
    if not ok:
        import logging

        logging.getLogger(__name__).warning("DynamoDB speed-up not installed: %s", why)
        return False
    from moto.core import parse, serialize

    moto_tables.install()  # no leak, no whole-table copies, no table walks (moto_tables.py)
    _cheap_queue_sends()
    _routing_once()
    parser = parse.PROTOCOL_PARSERS["json"]
    if not getattr(parser, "fast_attribute_values", False):
        class JSONParser(parser):
            fast_attribute_values = True

            def _parse_shape(self, shape, node):
                if (is_item(shape) and isinstance(node, dict)
                        and self.operation_model.service_model.service_name == "dynamodb"):
                    return {k: from_wire(v) for k, v in node.items()}
                if (shape.name == "AttributeValue" and isinstance(node, dict) and len(node) == 1
                        and self.operation_model.service_model.service_name == "dynamodb"):
                    return from_wire(node)
                return super()._parse_shape(shape, node)

        parse.PROTOCOL_PARSERS["json"] = JSONParser

    current = serialize.get_serializer_class("dynamodb", "json")
    if getattr(current, "fast_attribute_values", False):
        return True

    class DynamoDBSerializer(current):
        fast_attribute_values = True

        def _serialize(self, serialized, value, shape, key):
            # A page of items: each item's JSON text, made once per stored item (moto_tables.item_json)
            # and put in the answer's text in place of a marker; one item, its values as they are on the wire.
            if isinstance(value, list) and is_item_list(shape) and not self.pretty_print:
                text = "[" + ", ".join(moto_tables.item_json(item, _item_text) for item in value) + "]"
                serialized[self.get_serialized_name(shape, key)] = self._spliced(text)
                return
            if isinstance(value, dict) and is_item(shape):
                serialized[self.get_serialized_name(shape, key)] = _wire_item(value)
                return
            if shape.name == "AttributeValue":
                serialized[self.get_serialized_name(shape, key)] = to_wire(value)
                return
            super()._serialize(serialized, value, shape, key)

        def _spliced(self, text: str) -> str:
            """A marker for ``text``, which _serialize_body puts in its place (a random one per answer:
            no value in the answer can hold it)."""
            spliced = self.__dict__.setdefault("_tt_spliced", {})
            marker = f"\x00{secrets.token_hex(8)}:{len(spliced)}"
            spliced[json.dumps(marker)] = text
            return marker

        def _serialize_body(self, body):
            text = super()._serialize_body(body)
            for marker, spliced in self.__dict__.pop("_tt_spliced", {}).items():
                text = text.replace(marker, spliced, 1)
            return text

    serialize.SERVICE_SPECIFIC_SERIALIZERS.setdefault("dynamodb", {})["json"] = DynamoDBSerializer
    # DynamoDB Streams' records hold the same attribute maps (GetRecords: 100 images at a time); a
    # binary value may be bytes or, already encoded, base64 text.
    def stream_wire(value: dict) -> dict:
        kind, inner = next(iter(value.items()))
        if (kind == "B" and isinstance(inner, str)) or (kind == "BS" and all(isinstance(v, str) for v in inner)):
            return value
        return to_wire(value)

    class StreamsSerializer(current):
        fast_attribute_values = True

        def _serialize(self, serialized, value, shape, key):
            if isinstance(value, dict) and is_item(shape):
                serialized[self.get_serialized_name(shape, key)] = {k: stream_wire(v) for k, v in value.items()}
                return
            super()._serialize(serialized, value, shape, key)

    serialize.SERVICE_SPECIFIC_SERIALIZERS.setdefault("dynamodbstreams", {})["json"] = StreamsSerializer
    _no_xml_request_ids()
    # moto turns every result into plain dicts before serialising it; to_wire reads its values as they are.
    from moto.core.responses import ActionResult
    from moto.dynamodb import responses

    if not getattr(responses.DynamoResult, "fast_attribute_values", False):
        original = responses.DynamoResult.__init__

        def __init__(self, result):
            if getattr(serialize.get_serializer_class("dynamodb", "json"), "fast_attribute_values", False):
                ActionResult.__init__(self, result)
            else:  # moto's own serializer (turned back in a test): it needs the plain dicts
                original(self, result)

        responses.DynamoResult.__init__ = __init__
        responses.DynamoResult.fast_attribute_values = True
    return True


def _wire_item(attrs) -> dict:
    return {k: to_wire(v) for k, v in attrs.items()}


def _item_text(attrs) -> str:
    """An item as moto's answer writes it: json.dumps' defaults, attribute values on the wire."""
    return json.dumps(_wire_item(attrs))


def _routing_once() -> None:
    """moto's server works out each request's service afresh: it lists its own package directory
    (a stat per entry, about 150) and then tries its services' URL patterns in turn. That cost
    more than the DynamoDB work of a 300-item Query page. A host's service never changes, so
    each host is worked out once (and the directory listed once)."""
    from moto import backends
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    if getattr(DomainDispatcherApplication, "_tt_routing_once", False):
        return
    modules = frozenset(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules
    find = DomainDispatcherApplication.get_backend_for_host

    def get_backend_for_host(self, host):  # called under the application's own lock
        known = self.__dict__.setdefault("_tt_hosts", {})
        if host not in known:
            known[host] = find(self, host)
        return known[host]

    DomainDispatcherApplication.get_backend_for_host = get_backend_for_host
    DomainDispatcherApplication._tt_routing_once = True


def _no_xml_request_ids() -> None:
    """moto writes the request id into every answer's XML with a regular expression run over
    the whole body; DynamoDB answers JSON, where it only cost 10 ms per 1 MB page."""
    from moto.dynamodb.responses import DynamoHandler

    if getattr(DynamoHandler, "_tt_json_only", False):
        return
    enrich = DynamoHandler._enrich_response

    def _enrich_response(headers, body):
        if isinstance(body, str) and body.startswith("{"):
            return enrich(headers, "")[0], body  # the headers' status and request id, as before
        return enrich(headers, body)

    DynamoHandler._enrich_response = staticmethod(_enrich_response)
    DynamoHandler._tt_json_only = True


def _cheap_queue_sends() -> None:
    """moto's SendMessage and ReceiveMessage read a queue attribute or two (deduplication, the
    retention period: the latter once per message received) through the property that builds
    them all, three of which count the queue's messages by walking every one: each message sent
    or received cost O(queue length), so a long queue was quadratic (a webhook fan-out of 30,000
    deliveries moved two a second). While a message is sent or received, the queue answers
    without the counts; GetQueueAttributes still counts them as moto does. And the list of
    receivable messages reads the clock once per call instead of twice per message."""
    import threading

    from moto.core.utils import camelcase_to_underscores, unix_time_millis
    from moto.sqs.models import Queue, SQSBackend

    if getattr(SQSBackend, "_tt_cheap_queues", False):
        return
    counted = {"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed",
               "ApproximateNumberOfMessagesNotVisible"}
    busy = threading.local()
    full = Queue.attributes.fget

    def attributes(self):
        if not getattr(busy, "on", False):
            return full(self)
        names = [*self.BASE_ATTRIBUTES, *(self.FIFO_ATTRIBUTES if self.fifo_queue else [])]
        result = {n: getattr(self, camelcase_to_underscores(n)) for n in names if n not in counted}
        return {k: str(v).lower() if isinstance(v, bool) else v for k, v in result.items()}

    def without_counts(method):
        def call(self, *args, **kwargs):
            outer = getattr(busy, "on", False)
            busy.on = True
            try:
                return method(self, *args, **kwargs)
            finally:
                busy.on = outer

        return call

    def messages(self):
        """moto's Queue.messages (visible and not delayed), reading the clock once, not twice a message."""
        now = unix_time_millis()
        return [m for m in self._messages if now > m.visible_at and not now < m.delayed_until]

    Queue.messages = property(messages)
    Queue.attributes = property(attributes)
    SQSBackend.send_message = without_counts(SQSBackend.send_message)
    SQSBackend.receive_message = without_counts(SQSBackend.receive_message)
    SQSBackend._tt_cheap_queues = True
