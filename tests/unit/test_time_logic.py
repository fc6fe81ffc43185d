"""Dates, durations, tags, words and the summary arithmetic (property-based where it pays)."""
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.clock import iso_z
from shared.domain import Span, TimeEntry
from shared.errors import ValidationFailed
from shared.logic.reports import hours, summarize
from shared.logic.time_entries import normalize_tags
from shared.logic.timeparse import parse_bound, parse_datetime
from shared.search_words import words

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham"]
instants = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2099, 12, 31),
                        timezones=st.just(timezone.utc)).map(lambda d: d.replace(microsecond=0))


@given(instants)
def test_utc_round_trip(moment):
    assert parse_datetime(iso_z(moment), "Asia/Tokyo", "t") == moment
    assert iso_z(moment).endswith("Z")


@given(instants, st.sampled_from(ZONES))
def test_offsets_win_over_the_user_zone(moment, zone):
    with_offset = moment.astimezone(timezone(timedelta(hours=5, minutes=30))).isoformat()
    assert parse_datetime(with_offset, zone, "t") == moment


@given(st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2099, 12, 31)), st.sampled_from(ZONES))
def test_naive_times_are_wall_clock_in_the_user_zone(naive, zone):
    from zoneinfo import ZoneInfo

    parsed = parse_datetime(naive.replace(microsecond=0).isoformat(), zone, "t")
    local = parsed.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    # equal, or moved forward by at most an hour when the wall time does not exist (DST gap)
    assert timedelta(0) <= local - naive.replace(microsecond=0) <= timedelta(hours=1)


@given(st.dates(min_value=datetime(1971, 1, 2).date(), max_value=datetime(2099, 12, 30).date()),
       st.sampled_from(ZONES))
def test_a_date_range_covers_the_whole_day(day, zone):
    start = parse_bound(day.isoformat(), zone, "s", end=False)
    end = parse_bound(day.isoformat(), zone, "e", end=True)
    assert timedelta(hours=22) <= end - start < timedelta(hours=25)  # DST days are 23 or 25 hours long


def test_examples():
    assert iso_z(parse_datetime("2024-01-15T09:00:00Z", "UTC", "t")) == "2024-01-15T09:00:00Z"
    assert iso_z(parse_datetime("2024-01-15T09:00", "Europe/Berlin", "t")) == "2024-01-15T08:00:00Z"
    assert iso_z(parse_datetime("2024-01-15 09:00:00+01:00", "UTC", "t")) == "2024-01-15T08:00:00Z"
    assert iso_z(parse_datetime("2024-03-31T02:30", "Europe/Berlin", "t")) == "2024-03-31T01:30:00Z"  # gap
    assert iso_z(parse_bound("2024-01-15", "UTC", "e", end=True)) == "2024-01-15T23:59:59Z"
    for bad in ("2024-01-15", "15/01/2024 09:00", "soon", "2024-13-01T00:00:00"):
        with pytest.raises(ValidationFailed):
            parse_datetime(bad, "UTC", "start_time")


def test_lazy_zone_is_read_only_for_naive_times():
    calls = []

    def zone():
        calls.append(1)
        return "UTC"

    parse_datetime("2024-01-15T09:00:00Z", zone, "t")
    assert calls == []
    parse_datetime("2024-01-15T09:00:00", zone, "t")
    assert calls == [1]


@given(instants, st.integers(0, 10 * 24 * 3600))
def test_duration_is_derived(start, seconds):
    now = datetime(2024, 1, 1, tzinfo=timezone.utc)
    entry = TimeEntry(1, 1, None, None, start, start + timedelta(seconds=seconds), None, (), True, False, "api",
                      now, now)
    assert entry.duration_seconds == seconds and not entry.is_active


spans = st.lists(st.builds(Span, st.one_of(st.none(), st.integers(1, 5)), st.booleans(), st.integers(0, 86400)),
                 max_size=200)


@given(spans)
def test_summary_arithmetic(items):
    totals = summarize(items)
    assert totals["total_entries"] == len(items)
    assert totals["total_seconds"] == sum(s.seconds for s in items)
    assert totals["billable_seconds"] == sum(s.seconds for s in items if s.billable)
    assert totals["billable_seconds"] <= totals["total_seconds"]
    assert sum(secs for secs, _ in totals["by_project"].values()) == totals["total_seconds"]
    assert sum(n for _, n in totals["by_project"].values()) == len(items)
    assert hours(totals["total_seconds"]) == round(totals["total_seconds"] / 3600, 2)


def test_tags_are_split_trimmed_and_deduplicated():
    assert normalize_tags("development, frontend,,Development") == ("development", "frontend")
    assert normalize_tags(["a", " b "]) == ("a", "b")
    assert normalize_tags(None) == ()
    with pytest.raises(ValidationFailed):
        normalize_tags(",".join(f"t{i}" for i in range(21)))


def test_search_words_fold_case_accents_and_punctuation():
    assert words("Café-Website: RE-design!", None, "café") == ["cafe", "website", "re", "design"]
    assert words("a b") == []
