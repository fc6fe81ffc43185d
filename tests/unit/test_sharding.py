"""Write-sharded index keys: how an import's rows spread, and how older items are upgraded."""
from collections import Counter

from shared.data.sharded import SHARDS, shard_key, shard_keys
from shared.data.time_entries import upgrade_stored


def test_an_imports_contiguous_ids_spread_evenly_over_every_shard():
    ids = range(1_000_001, 1_000_001 + 100 * SHARDS)  # what one import reserves
    per_key = Counter(shard_key(7, i) for i in ids)
    assert set(per_key) == set(shard_keys(7)) and set(per_key.values()) == {100}
    # A million rows put at most 31,250 under one key: 31 s at a partition's 1,000 WCU/s.
    assert max(Counter(shard_key(7, i) for i in range(1, 1_000_001)).values()) == 1_000_000 // SHARDS


def test_an_entry_stored_before_sharding_gets_its_keys():
    old = {"id": {"N": "70"}, "org": {"S": "default"}, "user_id": {"N": "3"}, "project_id": {"N": "9"},
           "import_id": {"NULL": True}, "start_key": {"S": "2024-01-01T09:00:00Z#000000000070"}}
    upgraded = upgrade_stored(old)
    assert upgraded == {**old, "user_key": {"S": "3#06"}, "org_key": {"S": "default#06"},
                        "project_key": {"S": "9#06"}}
    assert upgrade_stored(upgraded) == upgraded  # derived again, the same


def test_keys_follow_the_fields_not_what_the_item_claims():
    edited = {"id": {"N": "33"}, "org": {"S": "default"}, "user_id": {"N": "4"}, "import_id": {"N": "12"},
              "user_key": {"S": "3#01"}, "project_key": {"S": "9#01"}}
    upgraded = upgrade_stored(edited)
    assert upgraded["user_key"] == {"S": "4#01"} and upgraded["import_key"] == {"S": "12#01"}
    assert "project_key" not in upgraded  # no project: out of the sparse index


def test_an_item_too_damaged_to_key_is_left_as_it_is():
    for damaged in ({"id": {"N": "5"}}, {"id": {"S": "x"}, "org": {"S": "d"}, "user_id": {"N": "1"}},
                    {"id": {"N": "5"}, "org": {"S": "d"}, "user_id": "1"}):
        assert upgrade_stored(damaged) is damaged
