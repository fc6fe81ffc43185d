"""Export formats as pure functions: Excel-safe CSV, streamed JSON documents and ZIPs,
and the backup file's line layout."""
import csv
import io
import json
import zipfile
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.exports.backup_format import canonical_lines, check_info, parse_line, write_backup
from shared.exports.csv_cells import safe_cell, write_csv
from shared.exports.documents import Section, write_json, write_zip


class Unseekable(io.RawIOBase):
    """What an S3 multipart writer looks like to zipfile: write-only, no tell or seek."""

    def __init__(self):
        self.data = bytearray()

    def writable(self):
        return True

    def write(self, b):
        self.data += b
        return len(b)


@pytest.mark.parametrize("value, cell", [
    ("=1+1", "'=1+1"), ("+SUM(A1)", "'+SUM(A1)"), ("-2", "'-2"), ("@cmd", "'@cmd"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("plain", "plain"), (-2, -2), (1.5, 1.5), (True, "true"), (None, ""),
    (["a", "=b"], "a, =b"),
])
def test_cells_that_a_spreadsheet_would_run_are_neutralised(value, cell):
    assert safe_cell(value) == cell


def test_csv_is_utf8_with_bom_and_crlf_and_reads_back():
    out = io.BytesIO()
    rows = write_csv(out, ["id", "notes"], [{"id": 1, "notes": "Café, \"quoted\"\nline"}, {"id": 2}])
    raw = out.getvalue()
    assert rows == 2 and raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\r\n") >= 3
    back = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert back == [{"id": "1", "notes": "Café, \"quoted\"\nline"}, {"id": "2", "notes": ""}]


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])  # text() is slow to warm up
@given(st.lists(st.dictionaries(st.sampled_from(["a", "b"]), st.one_of(st.text(), st.integers(), st.none())),
                max_size=5))
def test_json_documents_are_valid_whatever_the_records(records):
    out = io.BytesIO()
    count = write_json(out, {"export_info": {"x": 1}}, [Section("items", lambda: iter(records)),
                                                         Section("empty", lambda: iter(()))])
    document = json.loads(out.getvalue())
    assert count == len(records) and document == {"export_info": {"x": 1}, "items": records, "empty": []}


def test_zip_streams_to_an_unseekable_output_and_is_deterministic():
    when = datetime(2024, 1, 15, 10, 30, tzinfo=timezone.utc)
    sections = [Section("tags", lambda: iter([{"name": "web", "entries": 2}]))]
    outputs = []
    for _ in range(2):
        out = Unseekable()
        write_zip(out, {"export_info": {}, "user_profile": {"id": 1, "username": "ann"}}, sections, when,
                  head_tables=("user_profile",))
        outputs.append(bytes(out.data))
    assert outputs[0] == outputs[1]
    archive = zipfile.ZipFile(io.BytesIO(outputs[0]))
    assert archive.testzip() is None
    assert archive.namelist() == ["export.json", "user_profile.csv", "tags.csv"]
    assert archive.getinfo("tags.csv").date_time == (2024, 1, 15, 10, 30, 0)


def test_backup_lines_round_trip_and_carry_exact_counts_in_the_header():
    tables = [("users", [{"id": {"N": "1"}, "name": {"S": "Zoë"}}]), ("time_entries", []),
              ("counters", [{"name": {"S": "user"}, "value": {"N": "1"}}] * 2)]
    out = io.BytesIO()
    counts = write_backup(out, {"created_at": "2024-01-01T00:00:00Z"}, tables)
    text = out.getvalue().decode("ascii")  # non-ASCII escaped: a line's characters are its bytes
    assert counts == {"users": 1, "time_entries": 0, "counters": 2}
    assert json.loads(text)["tables"]["users"][0]["name"]["S"] == "Zoë"  # one valid JSON document
    parsed = [parse_line(line) for line in text.splitlines()]
    assert parsed[0][0] == "info" and check_info(parsed[0][1])["counts"] == counts
    items = [v for kind, v in parsed if kind == "item"]
    assert items == [tables[0][1][0], *tables[2][1]]
    assert [k for k, _ in parsed if k in ("table", "end_table", "end")] == [
        "table", "end_table", "table", "end_table", "table", "end_table", "end"]


def test_a_reformatted_backup_is_laid_out_again():
    document = {"backup_info": {"format": "timetracker-backup", "format_version": 1, "counts": {"users": 1}},
                "tables": {"users": [{"id": {"N": "7"}}]}}
    relaid = b"".join(canonical_lines(json.loads(json.dumps(document, indent=4)))).decode()
    assert json.loads(relaid)["tables"] == document["tables"]
    assert parse_line(relaid.splitlines()[3]) == ("item", {"id": {"N": "7"}})


@pytest.mark.parametrize("info", [None, {"format": "other"}, {"format": "timetracker-backup", "format_version": 2},
                                  {"format": "timetracker-backup", "format_version": "1"}])
def test_foreign_or_newer_backups_are_refused(info):
    with pytest.raises(ValueError):
        check_info(info)


def test_lines_that_are_no_backup_are_refused():
    with pytest.raises(ValueError):
        parse_line("project_name,start_time")
