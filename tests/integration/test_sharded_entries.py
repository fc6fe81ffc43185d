"""Time entries' write-sharded indexes (shared/data/sharded.py): keys stay narrow (one shard)
until a bulk write marks them wide; every list, page, count and range over 32 shard keys means
what it meant over one; items from before the sharding (older backups, local snapshots) are
upgraded as they come back."""
import json
import random
from datetime import datetime, timedelta, timezone

import pytest

from shared.data.sharded import SHARDS

T0 = datetime(2024, 1, 1, 8, tzinfo=timezone.utc)


def _entries(n: int, user_id: int, *, project_id=None, task_id=None, import_id=None, seed=1):
    """n stopped entries at shuffled start times (so id order is not time order)."""
    offsets = list(range(n))
    random.Random(seed).shuffle(offsets)
    return [{"user_id": user_id, "project_id": project_id, "task_id": task_id, "import_id": import_id,
             "start_time": T0 + timedelta(hours=3 * k + user_id),
             "end_time": T0 + timedelta(hours=3 * k + user_id, minutes=30),
             "notes": None, "tags": [f"t{k % 3}"], "billable": k % 2 == 0, "paid": False, "source": "import"}
            for k in offsets]


@pytest.fixture
def two_users(aws):
    from shared.data import time_entries as data

    alice = data.put_entries(_entries(150, 7, project_id=3))
    bob = data.put_entries(_entries(40, 8, seed=2))
    return alice, bob


def test_a_users_pages_merge_every_shard_newest_first_with_exact_totals(two_users):
    from shared.data import time_entries as data
    from shared.models.time_entries import TimeEntryModel

    alice, bob = two_users
    stored = {TimeEntryModel.get(e.id).user_key for e in alice}
    assert len(stored) == SHARDS  # a bulk write: the user's entries are under every shard key
    expected = sorted(alice, key=lambda e: e.start_time, reverse=True)
    for per_page in (1, 7, 50, 200):
        seen = []
        for page in range(1, 150 // per_page + 3):
            got = data.list_entries(user_id=7, project_id=None, start=None, end=None, billable=None,
                                    include_active=True, page=page, per_page=per_page)
            assert got.total == 150
            seen += got.items
        assert seen == expected, per_page
    everyone = data.list_entries(user_id=None, project_id=None, start=None, end=None, billable=None,
                                 include_active=True, page=1, per_page=500)
    assert everyone.total == 190 and everyone.items == sorted(alice + bob, key=lambda e: e.start_time, reverse=True)


def test_ranges_and_filters_narrow_each_shard_alike(two_users):
    from shared.data import time_entries as data

    alice, _ = two_users
    start, end = T0 + timedelta(days=3), T0 + timedelta(days=9)
    wanted = [e for e in alice if start <= e.start_time <= end and e.billable]
    got = data.list_entries(user_id=7, project_id=3, start=start, end=end, billable=True, include_active=True,
                            page=1, per_page=100)
    assert got.total == len(wanted) > 0
    assert got.items == sorted(wanted, key=lambda e: e.start_time, reverse=True)
    assert list(data.iter_entries(user_id=7, start=start, end=end, billable=True)) == sorted(
        wanted, key=lambda e: e.start_time)  # oldest first, for exports
    by_project = data.list_entries(user_id=None, project_id=3, start=None, end=None, billable=None,
                                   include_active=True, page=2, per_page=100)
    assert by_project.total == 150 and len(by_project.items) == 50
    spans = list(data.spans_in_range(user_id=7, project_id=None, start=start, end=end))
    assert len(spans) == len([e for e in alice if start <= e.start_time <= end])
    assert data.project_has_entries(3) and not data.project_has_entries(4)


def test_a_narrow_key_costs_one_query_and_a_wide_one_a_query_per_shard(aws, ddb_calls):
    from shared.data import time_entries as data

    for _ in range(3):
        data.put_entries(_entries(30, 105))  # small writes (an API's, a small import's): shard 00
    data.put_entries(_entries(600, 106, seed=3))
    ddb_calls.clear()
    page = data.list_entries(user_id=105, project_id=None, start=None, end=None, billable=None, include_active=True,
                             page=1, per_page=100)
    assert page.total == 90 and (ddb_calls["GetItem"], ddb_calls["Query"]) == (1, 1)  # the flag, then one page
    ddb_calls.clear()
    page = data.list_entries(user_id=106, project_id=None, start=None, end=None, billable=None, include_active=True,
                             page=1, per_page=50)
    assert page.total == 600 and len(page.items) == 50
    assert SHARDS * 2 <= ddb_calls["Query"] <= SHARDS * 2 + 4  # first pages, then a COUNT where more remained
    assert ddb_calls["GetItem"] <= 1  # a key known wide is not looked up again


def test_single_writes_to_a_wide_key_are_listed_with_its_bulk(aws):
    from shared.data import time_entries as data

    bulk = data.put_entries(_entries(120, 107))
    single = data.put_entry({"user_id": 107, "project_id": None, "task_id": None, "notes": "by hand",
                             "start_time": T0 - timedelta(days=1), "end_time": T0 - timedelta(days=1, hours=-1),
                             "source": "api"}, guard_timer=False)
    moved = data.update_entry(bulk[0].id, {"notes": "edited"})  # rewritten under shard 00
    listed = data.list_entries(user_id=107, project_id=None, start=None, end=None, billable=None,
                               include_active=True, page=1, per_page=200)
    assert listed.total == 121 and {e.id for e in listed.items} == {e.id for e in bulk} | {single.id}
    assert next(e for e in listed.items if e.id == moved.id).notes == "edited"


def test_an_imports_entries_in_id_order_across_shards(aws):
    from shared.data import time_entries as data

    written = data.put_entries(_entries(90, 7, import_id=41, project_id=3), ids=list(range(1001, 1091)))
    data.put_entries(_entries(5, 7, import_id=42))
    ids = [e.id for e in written]
    page = data.list_import_entries(41, page=2, per_page=30)
    assert page.total == 90 and [e.id for e in page.items] == ids[30:60]
    assert [e.id for e in data.import_entries_after(41, 1010, 25)] == ids[10:35]
    tags, projects = data.import_entry_facets(41)
    assert tags == {"t0": 30, "t1": 30, "t2": 30} and projects == {3: 90}


def test_a_task_in_use_is_found_in_whichever_shard_holds_it(aws):
    from shared.data import time_entries as data

    data.put_entries(_entries(150, 7, project_id=3, task_id=None))
    data.put_entries(_entries(1, 7, project_id=3, task_id=9, seed=4), ids=[SHARDS * 10 + 17])
    data.put_entries(_entries(1, 7, project_id=3, task_id=11, seed=4), ids=[SHARDS * 10 + 18])
    data.put_entries(_entries(100, 7, project_id=3, task_id=12, seed=5))
    assert data.task_has_entries(3, 9) and data.task_has_entries(3, 11) and not data.task_has_entries(3, 10)
    assert data.task_has_entries(3, 12)


def _unsharded(entry_id: int, user_id: int) -> dict:
    """A time entry as stored before the indexes were sharded (an older backup's line)."""
    start = T0 + timedelta(days=entry_id)
    return {"id": {"N": str(entry_id)}, "org": {"S": "default"}, "user_id": {"N": str(user_id)},
            "start_key": {"S": f"{start:%Y-%m-%dT%H:%M:%SZ}#{entry_id:012d}"},
            "start_time": {"S": f"{start:%Y-%m-%dT%H:%M:%S}.000000+0000"},
            "end_time": {"S": f"{start + timedelta(hours=1):%Y-%m-%dT%H:%M:%S}.000000+0000"},
            "billable": {"BOOL": True}, "paid": {"BOOL": False}, "source": {"S": "api"},
            "created_at": {"S": "2024-01-01T00:00:00.000000+0000"},
            "updated_at": {"S": "2024-01-01T00:00:00.000000+0000"}, "version": {"N": "1"}}


def test_entries_restored_from_an_older_backup_are_listed(aws):
    from shared.data import tables
    from shared.data import time_entries as data

    tables.put_items("time_entries", [_unsharded(i, 7) for i in range(1, 41)])
    listed = data.list_entries(user_id=7, project_id=None, start=None, end=None, billable=None,
                               include_active=True, page=1, per_page=100)
    assert listed.total == 40 and [e.id for e in listed.items] == list(range(40, 0, -1))


def test_an_older_local_snapshot_is_upgraded_on_load_and_saved_in_todays_shape(aws, tmp_path):
    from infra.local.snapshots import Snapshots
    from shared.data import time_entries as data

    folder = tmp_path / "snap" / "dynamodb"
    folder.mkdir(parents=True)
    (folder / "tt-time_entries.jsonl").write_text("".join(json.dumps(_unsharded(i, 7)) + "\n" for i in range(1, 6)))
    snapshots = Snapshots(tmp_path / "snap")
    assert snapshots.restore()["items"] == 5
    assert data.list_entries(user_id=7, project_id=None, start=None, end=None, billable=None, include_active=True,
                             page=1, per_page=10).total == 5
    snapshots.save()
    saved = [json.loads(line) for line in (folder / "tt-time_entries.jsonl").read_text().splitlines()]
    assert len(saved) == 5 and all(item["user_key"]["S"] == "7#00" for item in saved)


def test_a_newer_backups_sharded_entries_come_back_with_their_flags(aws):
    from shared.data import tables
    from shared.data import time_entries as data
    from tests.integration.conftest import table_items

    written = data.put_entries(_entries(150, 108))
    entries, flags = table_items("time_entries"), [c for c in table_items("counters") if "shards:" in c["name"]["S"]]
    assert len({e["user_key"]["S"] for e in entries}) == SHARDS and flags
    tables.delete_items("time_entries", entries)
    tables.delete_items("counters", flags)
    data.BY_USER._wide.clear()  # a fresh process: only what the tables say
    tables.put_items("counters", flags)  # a restore writes counters before time entries (BACKED_UP's order)
    tables.put_items("time_entries", entries)
    listed = data.list_entries(user_id=108, project_id=None, start=None, end=None, billable=None,
                               include_active=True, page=1, per_page=200)
    assert listed.total == 150 and {e.id for e in listed.items} == {e.id for e in written}
