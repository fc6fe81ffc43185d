"""Each tracker's export, detected by its header and read row by row."""
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from shared.tracker_files import dialects
from shared.tracker_files.reading import decode_text
from shared.tracker_files.rows import parse_hours, parse_instant

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "fixtures"


def parse(name: str):
    return dialects.parse(decode_text((FIXTURES / name).read_bytes()))


def test_toggl_detailed_with_bom_and_a_midnight_crossing():
    name, rows, errors = parse("toggl_detailed.csv")
    assert name == "toggl" and errors == []
    first, night = rows
    assert (first.project_name, first.client_name, first.task_name) == ("Engine", "Analytical Co", "Design")
    assert first.start == datetime(2024, 5, 6, 9, 15) and first.end == datetime(2024, 5, 6, 10, 45, 30)
    assert first.tags == ["design", "research"] and first.billable and first.notes == "Sketching the mill"
    assert night.end - night.start == timedelta(hours=1) and night.billable is False and night.client_name is None


def test_clockify_twelve_hour_clock_and_month_first_dates():
    name, rows, errors = parse("clockify_detailed.csv")
    assert name == "clockify" and errors == []
    assert rows[0].start == datetime(2024, 5, 14, 9, 5) and rows[0].end == datetime(2024, 5, 14, 13, 35)
    assert rows[1].start == datetime(2024, 5, 15, 23, 59, 30) and rows[1].end == datetime(2024, 5, 16, 0, 10)


def test_harvest_days_start_at_noon_and_decimal_commas_count():
    name, rows, errors = parse("harvest_detailed.csv")
    assert name == "harvest"
    assert rows[0].start == datetime(2024, 5, 6, 12) and rows[0].end - rows[0].start == timedelta(hours=2.5)
    assert rows[1].end - rows[1].start == timedelta(hours=1.25) and rows[1].billable is False
    assert [(e.line, e.fields["hours"]) for e in errors] == [(4, "many")]


def test_noko_minutes_and_hashtags():
    name, rows, errors = parse("noko_entries.csv")
    assert name == "noko" and errors == []
    assert rows[0].end - rows[0].start == timedelta(minutes=90)
    assert rows[0].tags == ["research", "design", "cards"] and rows[0].notes == "Punched cards"


def test_generic_iso_with_semicolons_keeps_offsets_and_rejects_backwards_rows():
    name, rows, errors = parse("generic_semicolon.csv")
    assert name == "generic"
    assert rows[0].start == datetime(2024, 5, 6, 7, tzinfo=timezone.utc) and rows[0].tags == ["plan", "week"]
    assert [(e.line, e.message) for e in errors] == [(3, "The entry ends before it starts")]


def test_day_month_order_is_settled_by_the_whole_file():
    name, rows, errors = parse("timetracker_dayfirst.csv")
    assert name == "timetracker" and errors == []
    assert rows[1].start == datetime(2024, 5, 1, 9)  # 01/05 is the 1st of May: line 2 had 13/05


def test_unknown_columns_and_a_forced_type_that_does_not_fit_are_explained():
    with pytest.raises(ValueError, match="match no known export"):
        dialects.parse("a,b\n1,2\n")
    with pytest.raises(ValueError, match="do not look like a harvest export"):
        dialects.parse((FIXTURES / "toggl_detailed.csv").read_text(encoding="utf-8-sig"), "harvest")


@pytest.mark.parametrize("text,hours", [("1.5", 1.5), ("1,5", 1.5), ("4", 4), ("4:30", 4.5), ("2.000,0", 2000)])
def test_hours(text, hours):
    assert parse_hours(text) == hours


def test_instants():
    assert parse_instant("2024-01-01 09:00:00", None) == datetime(2024, 1, 1, 9)
    assert parse_instant("3/4/2024 1:05 PM", None) == datetime(2024, 3, 4, 13, 5)
    assert parse_instant("3/4/2024 12:05 AM", True) == datetime(2024, 4, 3, 0, 5)
    with pytest.raises(ValueError):
        parse_instant("13/15/2024", None)


# The real exports beside the repository (../shared/fixtures): present in CI, absent in a user's clone.
EXPECTED = {
    "toggl_time_entries_import_test_1.csv": ("toggl", 2, 0),
    "toggl_time_entries_import_test_2.csv": ("toggl", 1, 0),
    "clockify_time_entries_import_test_1.csv": ("clockify", 2, 0),
    "clockify_time_entries_import_test_2.csv": ("clockify", 1, 0),
    "clockify_time_entries_import_test_3.csv": ("clockify", 0, 1),  # 13/15/2024 is no date
    "clockify_time_entries_import_test_4.csv": ("clockify", 2, 0),
    "clockify_time_entries_import_test_5.csv": ("clockify", 2, 0),
    "clockify_time_entries_import_test_6.csv": ("clockify", 2, 0),
    "clockify_time_entries_import_test_7.csv": ("clockify", 1, 0),
    "harvest_time_entries_import_test_1.csv": ("harvest", 2, 0),
    "generic_time_entries_import_test_1.csv": ("generic", 2, 0),
}


@pytest.mark.skipif(not SHARED.exists(), reason="../shared/fixtures is not beside this clone")
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_exports(name):
    dialect, rows, errors = dialects.parse(decode_text((SHARED / "solidtime" / name).read_bytes()))
    assert (dialect, len(rows), len(errors)) == EXPECTED[name]


@pytest.mark.skipif(not SHARED.exists(), reason="../shared/fixtures is not beside this clone")
def test_harvest_time_report_without_notes_is_harvest():
    raw = (SHARED / "harvest-overtime" / "harvest-example.csv").read_bytes()
    dialect, rows, errors = dialects.parse(decode_text(raw))
    assert dialect == "harvest" and len(rows) == 12 and errors == []
