"""Per-token rate limits over a minute and an hour window, counted in DynamoDB."""
from __future__ import annotations

from dataclasses import dataclass

from shared.data import rate_limits
from shared.errors import RateLimited
from shared.observability import logger, metrics
from shared.settings import get_settings


@dataclass(frozen=True)
class RateDecision:
    limit: int
    remaining: int
    reset: int  # unix time the reported window resets
    window: str = "minute"
    retry_after: int | None = None  # set when refused

    def headers(self) -> dict[str, str]:
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
        }
        if self.retry_after is not None:
            headers["Retry-After"] = str(self.retry_after)
        return headers


def decide(per_minute: int, per_hour: int, minute_count: int, hour_count: int, epoch: int,
           admitted: bool) -> RateDecision:
    """The headers' view: whichever window has fewer requests left (the minute on a tie)."""
    minute_reset = epoch - epoch % 60 + 60
    hour_reset = epoch - epoch % 3600 + 3600
    minute_left = max(per_minute - minute_count, 0)
    hour_left = max(per_hour - hour_count, 0)
    if admitted:
        if hour_left < minute_left:
            return RateDecision(per_hour, hour_left, hour_reset, "hour")
        return RateDecision(per_minute, minute_left, minute_reset)
    # Refused: report the window that is full; if both are, the one that frees up last.
    if hour_count >= per_hour:
        return RateDecision(per_hour, 0, hour_reset, "hour", retry_after=max(hour_reset - epoch, 1))
    return RateDecision(per_minute, 0, minute_reset, retry_after=max(minute_reset - epoch, 1))


def consume(token_id: int, epoch: int) -> RateDecision:
    """Count one request; raise RateLimited (carrying the headers) when over either limit.

    A DynamoDB failure here is logged and the request let through: an outage of the
    limiter must not become an outage of the API.
    """
    settings = get_settings()
    per_minute, per_hour = settings.rate_limit_per_minute, settings.rate_limit_per_hour
    try:
        counts = rate_limits.count_request(token_id, epoch, per_minute, per_hour)
    except Exception:  # noqa: BLE001 - fail open, by design
        logger.exception("rate limiter unavailable; failing open", extra={"token_id": token_id})
        metrics.add_metric(name="RateLimiterFailOpen", unit="Count", value=1)
        return decide(per_minute, per_hour, 0, 0, epoch, admitted=True)
    decision = decide(per_minute, per_hour, counts.minute_count, counts.hour_count, epoch, counts.admitted)
    if not counts.admitted:
        raise RateLimited(
            f"Rate limit exceeded: {decision.limit} requests per {decision.window}; "
            f"retry in {decision.retry_after} s",
            retry_after=decision.retry_after or 1,
            headers=decision.headers(),
        )
    return decision
