"""Write-sharded index keys: how an import's rows spread, and how older items are upgraded."""
from collections import Counter

from shared.data.sharded import SHARDS, shard_key, shard_of
from shared.data.time_entries import upgrade_stored


def test_a_bulk_writes_contiguous_ids_spread_evenly_and_single_writes_stay_on_shard_00():
    ids = range(1_000_001, 1_000_001 + 100 * SHARDS)  # what one import reserves
    per_key = Counter(shard_key(7, shard_of(i, bulk=True)) for i in ids)
    assert set(per_key) == {shard_key(7, s) for s in range(SHARDS)} and set(per_key.values()) == {100}
    # A million rows put at most 31,250 under one key: 31 s at a partition's 1,000 WCU/s.
    assert max(Counter(shard_of(i, bulk=True) for i in range(1, 1_000_001)).values()) == 1_000_000 // SHARDS
    assert {shard_of(i, bulk=False) for i in ids} == {0}


OLD = {"id": {"N": "70"}, "org": {"S": "default"}, "user_id": {"N": "3"}, "project_id": {"N": "9"},
       "import_id": {"NULL": True}, "start_key": {"S": "2024-01-01T09:00:00Z#000000000070"}}


def test_an_entry_stored_before_sharding_goes_under_shard_00():
    upgraded = upgrade_stored(OLD)
    assert upgraded == {**OLD, "user_key": {"S": "3#00"}, "org_key": {"S": "default#00"}, "project_key": {"S": "9#00"}}
    assert upgrade_stored(upgraded) == upgraded


def test_a_key_naming_its_field_keeps_its_shard_and_one_naming_another_is_derived_again():
    stored = {**OLD, "user_key": {"S": "3#06"}, "org_key": {"S": "default#06"}, "project_key": {"S": "8#06"},
              "import_key": {"S": "12#06"}}
    upgraded = upgrade_stored(stored)
    assert upgraded["user_key"] == {"S": "3#06"} and upgraded["org_key"] == {"S": "default#06"}  # kept
    assert upgraded["project_key"] == {"S": "9#00"}  # the project was edited in the file: derived again
    assert "import_key" not in upgraded  # no import: out of the sparse index


def test_a_damaged_item_is_left_out_of_the_indexes_it_lacks_a_field_for():
    upgraded = upgrade_stored({"id": {"N": "5"}, "org": {"S": "d"}, "user_id": "1", "user_key": {"S": "1#03"}})
    assert upgraded == {"id": {"N": "5"}, "org": {"S": "d"}, "user_id": "1", "org_key": {"S": "d#00"}}


def test_a_wide_read_fits_in_the_models_connection_pool():
    # One Query per shard at once through the model's client: a smaller pool opens (and on AWS
    # TLS-handshakes) a fresh connection for each thread past its size, on every wide read.
    from shared.models.base import BaseMeta
    from shared.models.time_entries import TimeEntryModel

    assert TimeEntryModel.Meta.max_pool_connections == BaseMeta.max_pool_connections >= SHARDS
