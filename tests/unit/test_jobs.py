"""The job machinery: messages, the registry, the status table, typed options, the bucket layout."""
from dataclasses import fields
from datetime import date
from fnmatch import fnmatch

import pytest

from infra.cloud.access import OBJECTS
from infra.local.lambdas import load_handler
from shared import routes
from shared.data import bucket_layout
from shared.domain import SKIP, ExportFilters, ImportOptions
from shared.jobs import registry
from shared.jobs.messages import ImportChunk, RestoreStep, SplitImport, UnknownMessage, decode, message_types
from shared.jobs.status import (
    TRANSITIONS,
    ExportStatus,
    IllegalTransition,
    ImportStatus,
    RestoreStatus,
    allowed_from,
    final_import_status,
)

SAMPLE_VALUES = {int: 7, str: "x", "str": "x", "int": 7, "bool | None": True}


def sample(message_type):
    values = {}
    for f in fields(message_type):
        values[f.name] = '{"phase": "load"}' if f.name == "cursor" else SAMPLE_VALUES[f.type]
    return message_type(**values)


@pytest.mark.parametrize("message_type", message_types(), ids=lambda t: t.__name__)
def test_every_message_round_trips_and_names_its_job(message_type):
    message = sample(message_type)
    assert decode(message.encode()) == message
    assert message.QUEUE in {s.queue for s in routes.EVENT_SOURCES}
    assert str(7) in message.job


def test_messages_read_the_wire_format_the_queues_have_always_carried():
    body = ('{"kind":"chunk","import_id":3,"chunk":1,"dialect":"toggl","day_first":null,'
            '"rows_key":"uploads/imports/3/chunks/000001.json"}')
    assert decode(body) == ImportChunk(3, 1, "toggl", "uploads/imports/3/chunks/000001.json", None)
    assert decode('{"kind":"split","import_id":4}') == SplitImport(4)
    assert decode(RestoreStep(5, '{"phase": "start"}').encode()).cursor == '{"phase": "start"}'


@pytest.mark.parametrize("body", ['{"kind":"nope","import_id":1}', '{"import_id":1}', "[1]", '{"kind":"split"}'])
def test_what_no_message_describes_is_refused(body):
    with pytest.raises(UnknownMessage):
        decode(body)


def test_a_message_kind_needs_a_known_queue():
    from dataclasses import dataclass

    from shared.jobs.messages import Message

    with pytest.raises(TypeError):
        @dataclass(frozen=True)
        class Stray(Message, kind="stray", queue="nowhere", job="stray {n}"):
            n: int


def test_every_message_has_a_step_and_a_settler_in_the_workers_of_its_queue():
    for source in routes.EVENT_SOURCES:
        load_handler(source.function)  # registers what that worker runs
    for message_type in message_types():
        assert registry.handler_of(message_type), message_type
        assert registry.settler_of(message_type), message_type
        assert f"{message_type.QUEUE}_dlq" in {s.queue for s in routes.EVENT_SOURCES}


def test_a_second_handler_for_one_message_is_refused():
    with pytest.raises(TypeError):
        registry.handles(SplitImport)(lambda message: None)


# -- statuses ---------------------------------------------------------------------------
@pytest.mark.parametrize(("target", "when"), [
    (ImportStatus.UNDONE, (ImportStatus.PROCESSING,)),
    (ImportStatus.COMPLETED, (ImportStatus.PENDING,)),
    (ImportStatus.PROCESSING, (ImportStatus.COMPLETED,)),
    (ExportStatus.COMPLETED, (ExportStatus.FAILED,)),
    (RestoreStatus.PROCESSING, (RestoreStatus.COMPLETED,)),
])
def test_a_transition_the_table_lacks_fails_loudly(target, when):
    with pytest.raises(IllegalTransition):
        allowed_from(target, when)


@pytest.mark.parametrize("status", [ImportStatus.PENDING, ExportStatus.PENDING, RestoreStatus.PENDING])
def test_nothing_moves_back_to_pending(status):
    with pytest.raises(IllegalTransition):
        allowed_from(status)


def test_the_table_reaches_every_status_and_only_undo_leaves_a_finished_import():
    for enum in (ImportStatus, ExportStatus, RestoreStatus):
        table = TRANSITIONS[enum]
        assert set(table) == {s for s in enum if s != enum.PENDING}
        assert all(type(t) is enum and {type(s) for s in sources} == {enum} for t, sources in table.items())
    assert allowed_from(ImportStatus.UNDOING) == (ImportStatus.COMPLETED, ImportStatus.FAILED, ImportStatus.PARTIAL)
    left_by_final = {t for t, sources in TRANSITIONS[ImportStatus].items()
                     if sources & {ImportStatus.COMPLETED, ImportStatus.FAILED, ImportStatus.PARTIAL}}
    assert left_by_final == {ImportStatus.UNDOING}
    assert (final_import_status(3, 0), final_import_status(3, 1), final_import_status(0, 1)) == \
        ("completed", "partial", "failed")


# -- typed options and filters ----------------------------------------------------------
def test_import_options_keep_their_defaults_in_one_place():
    assert ImportOptions().as_record() == {}
    assert ImportOptions.from_record({}) == ImportOptions()
    options = ImportOptions(field_delimiter=";", day_first=True, create_projects=False, fallback_user=SKIP,
                            skip_duplicates=True, timezone="Europe/Berlin")
    assert ImportOptions.from_record(options.as_record()) == options
    # DynamoDB gives numbers back as decimals or floats; a user id stays an int.
    assert ImportOptions.from_record({"fallback_user": 12.0}).fallback_user == 12


def test_export_filters_round_trip_as_stored():
    filters = ExportFilters(include_projects=True, start_date=date(2024, 1, 1), end_date=date(2024, 1, 31),
                            project_id=3, billable_only=True, user_id=9)
    record = filters.as_record()
    assert record["start_date"] == "2024-01-01" and "user_id" in record
    assert ExportFilters.from_record(record) == filters
    assert ExportFilters.from_record({}) == ExportFilters()


# -- the bucket layout --------------------------------------------------------------------
KEYS = {
    "import_file": bucket_layout.import_file(12),
    "import_chunk": bucket_layout.import_chunk(12, 3),
    "incoming_upload": bucket_layout.incoming_upload(5, "ab" * 16),
    "export_file": bucket_layout.export_file(9, "gdpr.zip"),
    "restore_file": bucket_layout.restore_file("cafe"),
    "relaid_backup": bucket_layout.relaid_backup(4),
}
WRITERS = {"import_file": "imports", "import_chunk": "import_worker", "incoming_upload": "imports",
           "export_file": "export_worker", "restore_file": "exports", "relaid_backup": "export_worker"}


@pytest.mark.parametrize("name", KEYS)
def test_every_key_expires_and_is_granted_to_the_function_that_writes_it(name):
    key = KEYS[name]
    assert any(key.startswith(prefix) for prefix in bucket_layout.EXPIRING)
    grants = OBJECTS[WRITERS[name]]
    assert any(fnmatch(key, pattern) and "write" in mode for pattern, mode in grants.items()), (key, grants)
