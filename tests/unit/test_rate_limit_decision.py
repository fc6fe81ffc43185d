from hypothesis import given
from hypothesis import strategies as st

from shared.logic.rate_limit import decide

EPOCH = 1_700_000_110  # 10 s into a minute, 910 s into an hour


def test_admitted_request_reports_the_tighter_window():
    d = decide(100, 1000, minute_count=10, hour_count=200, epoch=EPOCH, admitted=True)
    assert (d.limit, d.remaining, d.window) == (100, 90, "minute")
    assert d.reset == EPOCH - EPOCH % 60 + 60
    d = decide(100, 1000, minute_count=10, hour_count=995, epoch=EPOCH, admitted=True)
    assert (d.limit, d.remaining, d.window) == (1000, 5, "hour")
    assert d.reset == EPOCH - EPOCH % 3600 + 3600


def test_refused_request_says_when_to_retry():
    d = decide(100, 1000, minute_count=100, hour_count=300, epoch=EPOCH, admitted=False)
    assert (d.remaining, d.window, d.retry_after) == (0, "minute", 50)
    headers = d.headers()
    assert headers["Retry-After"] == "50" and headers["X-RateLimit-Remaining"] == "0"
    d = decide(100, 1000, minute_count=3, hour_count=1000, epoch=EPOCH, admitted=False)
    assert (d.window, d.retry_after) == ("hour", 3600 - 910)


@given(st.integers(1, 500), st.integers(1, 5000), st.integers(0, 600), st.integers(0, 6000),
       st.integers(1_600_000_000, 1_900_000_000))
def test_headers_are_always_coherent(per_minute, per_hour, minute_count, hour_count, epoch):
    d = decide(per_minute, per_hour, min(minute_count, per_minute), min(hour_count, per_hour), epoch, admitted=True)
    assert 0 <= d.remaining <= d.limit
    assert epoch < d.reset <= epoch + 3600
    refused = decide(per_minute, per_hour, per_minute, hour_count, epoch, admitted=False)
    assert refused.remaining == 0 and 1 <= refused.retry_after <= 3600
