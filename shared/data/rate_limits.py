"""Per-token request counters: one conditional UpdateItem counts and checks both windows.

Item key ``<token_id>#<hour start>``; attribute ``h`` counts the hour, ``m<minute>``
counts one minute of it. The condition admits the request only while both are
under their limits, so N concurrent callers against a limit of N get exactly N
successes (DynamoDB serialises writes to one item). TTL removes the item an hour
after its window closes.
"""
from __future__ import annotations

from dataclasses import dataclass

from botocore.exceptions import ClientError

from shared.data.common import dynamodb_client
from shared.settings import get_settings


@dataclass(frozen=True)
class Counts:
    admitted: bool
    minute_count: int
    hour_count: int


def count_request(token_id: int, epoch: int, per_minute: int, per_hour: int) -> Counts:
    hour_start = epoch - epoch % 3600
    minute_attr = f"m{(epoch - hour_start) // 60}"
    try:
        result = dynamodb_client().update_item(
            TableName=get_settings().table("rate_limits"),
            Key={"key": {"S": f"{token_id}#{hour_start}"}},
            UpdateExpression="ADD #h :one, #m :one SET #exp = :exp",
            ConditionExpression="(attribute_not_exists(#h) OR #h < :hl) AND (attribute_not_exists(#m) OR #m < :ml)",
            ExpressionAttributeNames={"#h": "h", "#m": minute_attr, "#exp": "expires_at"},
            ExpressionAttributeValues={
                ":one": {"N": "1"},
                ":hl": {"N": str(per_hour)},
                ":ml": {"N": str(per_minute)},
                ":exp": {"N": str(hour_start + 7200)},
            },
            ReturnValues="UPDATED_NEW",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
            raise
        old = exc.response.get("Item", {})
        return Counts(False, int(old.get(minute_attr, {}).get("N", 0)), int(old.get("h", {}).get("N", 0)))
    new = result["Attributes"]
    return Counts(True, int(new[minute_attr]["N"]), int(new["h"]["N"]))


def count_in_window(key: str, window_start: int, window_seconds: int, limit: int) -> bool:
    """One more call in a fixed window shared by every worker (e.g. Harvest's 100 requests per
    15 s per token); False, counting nothing, once ``limit`` calls were admitted."""
    try:
        dynamodb_client().update_item(
            TableName=get_settings().table("rate_limits"),
            Key={"key": {"S": f"{key}#{window_start}"}},
            UpdateExpression="ADD #n :one SET #exp = :exp",
            ConditionExpression="attribute_not_exists(#n) OR #n < :limit",
            ExpressionAttributeNames={"#n": "n", "#exp": "expires_at"},
            ExpressionAttributeValues={":one": {"N": "1"}, ":limit": {"N": str(limit)},
                                       ":exp": {"N": str(window_start + window_seconds + 3600)}})
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
            raise
        return False
    return True
