"""moto's tables at scale (infra/local/moto_tables.py) answer exactly as moto's own code:
random writes (puts, updates that move items between index keys, deletes, transactions
that fail and roll back), each followed by Queries on the base table and every index,
paged, both ways, compared with moto's original query. And Scans no longer leak."""
import gc
import random

import boto3
import pytest
from moto import mock_aws

from infra.local import moto_speedups, moto_tables

pytestmark = pytest.mark.skipif(not moto_speedups.install(), reason="speed-ups are off for this moto")


def _table(ddb):
    ddb.create_table(
        TableName="t", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "user", "KeyType": "HASH"}, {"AttributeName": "id", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": k} for n, k in
                              (("user", "N"), ("id", "N"), ("start", "S"), ("proj", "N"), ("org", "S"))],
        GlobalSecondaryIndexes=[
            {"IndexName": "by-project", "KeySchema": [{"AttributeName": "proj", "KeyType": "HASH"},
                                                      {"AttributeName": "start", "KeyType": "RANGE"}],
             "Projection": {"ProjectionType": "ALL"}},
            {"IndexName": "by-org", "KeySchema": [{"AttributeName": "org", "KeyType": "HASH"}],
             "Projection": {"ProjectionType": "KEYS_ONLY"}}],
        LocalSecondaryIndexes=[
            {"IndexName": "by-start", "KeySchema": [{"AttributeName": "user", "KeyType": "HASH"},
                                                    {"AttributeName": "start", "KeyType": "RANGE"}],
             "Projection": {"ProjectionType": "ALL"}}])


def _item(rng, user, entry):
    item = {"user": {"N": str(user)}, "id": {"N": str(entry)}, "org": {"S": "o"},
            "start": {"S": f"2024-0{rng.randint(1, 3)}-{rng.randint(10, 12)}#{entry:04d}"}}
    if rng.random() < 0.8:  # sparse: some items are in no project
        item["proj"] = {"N": str(rng.randint(1, 3))}
    return item


QUERIES = [
    {"KeyConditionExpression": "#u = :u", "ExpressionAttributeNames": {"#u": "user"}},
    {"IndexName": "by-start", "KeyConditionExpression": "#u = :u AND #s BETWEEN :a AND :b",
     "ExpressionAttributeNames": {"#u": "user", "#s": "start"}},
    {"IndexName": "by-start", "KeyConditionExpression": "#u = :u AND #s BETWEEN :a AND :b", "ScanIndexForward": False,
     "ExpressionAttributeNames": {"#u": "user", "#s": "start"}},
    {"IndexName": "by-start", "KeyConditionExpression": "#u = :u AND #s > :m",
     "ExpressionAttributeNames": {"#u": "user", "#s": "start"}},
    {"IndexName": "by-start", "KeyConditionExpression": "#u = :u AND #s <= :m", "ScanIndexForward": False,
     "ExpressionAttributeNames": {"#u": "user", "#s": "start"}},
    {"IndexName": "by-project", "KeyConditionExpression": "proj = :p", "ScanIndexForward": False},
    {"IndexName": "by-project", "KeyConditionExpression": "proj = :p AND begins_with(#s, :m)",
     "ExpressionAttributeNames": {"#s": "start"}},
    {"IndexName": "by-org", "KeyConditionExpression": "org = :o"},
    {"KeyConditionExpression": "#u = :u", "ProjectionExpression": "#s, proj, nothing",
     "ExpressionAttributeNames": {"#u": "user", "#s": "start"}},
    {"IndexName": "by-project", "KeyConditionExpression": "proj = :p", "ProjectionExpression": "id, org"},
]


def _all_pages(ddb, query, values, limit, table="t"):
    pages, start = [], None
    while True:
        extra = {"ExclusiveStartKey": start} if start else {}
        got = ddb.query(TableName=table, ExpressionAttributeValues=values, Limit=limit, **query, **extra)
        pages.append((got["Items"], got["Count"], got.get("LastEvaluatedKey")))
        start = got.get("LastEvaluatedKey")
        if not start:
            return pages


def _settled(pages: list) -> list:
    """Pages without a last empty one: when a page fills exactly at the end of a key condition's
    range, moto's own code (which walks on to the next item of the partition) hands out a
    LastEvaluatedKey and then an empty page; a range narrowed by binary search ends there.
    DynamoDB may do either; the items and their pages are the same."""
    if len(pages) > 1 and pages[-1] == ([], 0, None):
        pages = [*pages[:-2], (*pages[-2][:2], None)]
    return pages


def _compare(ddb, rng):
    for query in QUERIES:
        names = query["KeyConditionExpression"]
        values = {k: v for k, v in {":u": {"N": str(rng.randint(1, 4))}, ":p": {"N": str(rng.randint(1, 3))},
                                    ":a": {"S": "2024-01"}, ":b": {"S": "2024-02-99"}, ":m": {"S": "2024-02"},
                                    ":o": {"S": "o"}}.items() if k in names}
        limit = rng.choice([3, 7, 100])
        fast = _all_pages(ddb, query, values, limit)
        with moto_tables.moto_own_code():
            own = _all_pages(ddb, query, values, limit)
        assert _settled(fast) == _settled(own), query


@pytest.mark.parametrize("seed", range(3))
def test_queries_answer_as_motos_own_code_through_random_writes(seed):
    rng = random.Random(seed)
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        _table(ddb)
        for step in range(60):
            user, entry = rng.randint(1, 4), rng.randint(1, 40)
            action = rng.random()
            if action < 0.45:
                ddb.put_item(TableName="t", Item=_item(rng, user, entry))
            elif action < 0.65:  # an update that moves the item to another project and start
                ddb.update_item(TableName="t", Key={"user": {"N": str(user)}, "id": {"N": str(entry)}},
                                UpdateExpression="SET proj = :p, #s = :s", ExpressionAttributeNames={"#s": "start"},
                                ExpressionAttributeValues={":p": {"N": str(rng.randint(1, 3))},
                                                           ":s": {"S": f"2024-02-1{rng.randint(0, 2)}#{entry:04d}"}})
            elif action < 0.8:
                ddb.delete_item(TableName="t", Key={"user": {"N": str(user)}, "id": {"N": str(entry)}})
            else:  # a transaction whose second write may fail: then its first is rolled back
                fresh = _item(rng, user, entry)
                key = {"user": fresh["user"], "id": fresh["id"]}
                before = ddb.get_item(TableName="t", Key=key).get("Item")
                condition = "attribute_not_exists(id)" if step % 2 else "attribute_exists(id)"
                try:
                    ddb.transact_write_items(TransactItems=[
                        {"Put": {"TableName": "t", "Item": fresh}},
                        {"Put": {"TableName": "t", "Item": _item(rng, user, entry + 100),
                                 "ConditionExpression": condition}}])
                except ddb.exceptions.TransactionCanceledException:
                    assert ddb.get_item(TableName="t", Key=key).get("Item") == before
            _compare(ddb, rng)


def test_a_failed_transaction_puts_back_exactly_what_it_touched():
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        _table(ddb)
        before = {"user": {"N": "1"}, "id": {"N": "1"}, "org": {"S": "o"}, "start": {"S": "a"}, "proj": {"N": "1"}}
        ddb.put_item(TableName="t", Item=before)
        with pytest.raises(ddb.exceptions.TransactionCanceledException):
            ddb.transact_write_items(TransactItems=[
                {"Update": {"TableName": "t", "Key": {"user": {"N": "1"}, "id": {"N": "1"}},
                            "UpdateExpression": "SET proj = :p", "ExpressionAttributeValues": {":p": {"N": "2"}}}},
                {"Put": {"TableName": "t", "Item": {**before, "id": {"N": "2"}}}},
                {"ConditionCheck": {"TableName": "t", "Key": {"user": {"N": "9"}, "id": {"N": "9"}},
                                    "ConditionExpression": "attribute_exists(id)"}}])
        items = ddb.scan(TableName="t")["Items"]
        assert items == [before]
        assert ddb.query(TableName="t", IndexName="by-project", KeyConditionExpression="proj = :p",
                         ExpressionAttributeValues={":p": {"N": "2"}})["Items"] == []


def test_scans_and_queries_leave_no_items_behind():
    from moto.dynamodb.models.dynamo_type import Item

    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        _table(ddb)
        for i in range(200):
            ddb.put_item(TableName="t", Item={"user": {"N": "1"}, "id": {"N": str(i)}, "org": {"S": "o"},
                                              "start": {"S": f"s{i}"}})
        gc.collect()
        alive = sum(isinstance(o, Item) for o in gc.get_objects())
        for _ in range(5):
            ddb.scan(TableName="t")
            ddb.query(TableName="t", IndexName="by-start", KeyConditionExpression="#u = :u",
                      ExpressionAttributeNames={"#u": "user"}, ExpressionAttributeValues={":u": {"N": "1"}})
        gc.collect()
        assert sum(isinstance(o, Item) for o in gc.get_objects()) == alive == 200
        assert Item.instances_tracked == []


def test_a_hash_only_table_and_an_index_without_range_answer_as_motos_own_code():
    rng = random.Random(7)
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        ddb.create_table(
            TableName="h", BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "N"},
                                  {"AttributeName": "grp", "AttributeType": "S"}],
            GlobalSecondaryIndexes=[{"IndexName": "by-grp", "KeySchema": [{"AttributeName": "grp", "KeyType": "HASH"}],
                                     "Projection": {"ProjectionType": "ALL"}}])
        for step in range(80):
            ddb.put_item(TableName="h", Item={"id": {"N": str(rng.randint(1, 30))}, "grp": {"S": rng.choice("ab")}})
            if step % 10 == 9:
                for query, values in (({"KeyConditionExpression": "id = :i"}, {":i": {"N": str(rng.randint(1, 30))}}),
                                      ({"IndexName": "by-grp", "KeyConditionExpression": "grp = :g"},
                                       {":g": {"S": rng.choice("ab")}})):
                    fast = _all_pages(ddb, query, values, 4, table="h")
                    with moto_tables.moto_own_code():
                        assert fast == _all_pages(ddb, query, values, 4, table="h"), query
