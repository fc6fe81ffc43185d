"""Bulk reads turn attribute values into fields with their own fast readers
(shared/data/common.raw_reader): exactly what PynamoDB's deserialisers give."""
from pynamodb.attributes import BooleanAttribute, ListAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from shared.data.common import raw_reader


class Sample(Model):
    class Meta:
        table_name = "sample"
        region = "us-east-1"

    id = NumberAttribute(hash_key=True)
    ratio = NumberAttribute(null=True)
    name = UnicodeAttribute(attr_name="n", null=True)
    flag = BooleanAttribute(default=True)
    at = UTCDateTimeAttribute(null=True)
    words = ListAttribute(of=UnicodeAttribute, null=True)


ITEMS = [
    {"id": {"N": "7"}, "ratio": {"N": "1.25"}, "n": {"S": "é “quoted”"}, "flag": {"BOOL": False},
     "at": {"S": "2024-01-15T14:30:00.123456+0000"}, "words": {"L": [{"S": "a"}, {"NULL": True}, {"S": ""}]}},
    {"id": {"N": "-3"}, "ratio": {"N": "1E+2"}, "n": {"NULL": True}, "at": {"S": "1999-12-31T23:59:59.000000+0000"}},
    {"id": {"N": "0"}, "ratio": {"N": "-0.5"}, "words": {"L": []}},
]


def test_the_fast_readers_give_what_pynamodb_gives():
    read = raw_reader(Sample, ["id", "ratio", "name", "flag", "at", "words"])
    for raw in ITEMS:
        model = Sample.from_raw_data(raw)
        expected = {name: getattr(model, name) for name in ("id", "ratio", "name", "flag", "at", "words")}
        got = read(raw)
        assert got == expected
        assert {k: type(v) for k, v in got.items()} == {k: type(v) for k, v in expected.items()}
        if got["at"] is not None:
            assert got["at"].tzinfo is expected["at"].tzinfo
