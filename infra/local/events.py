"""Event shapes the local stack makes for functions that are not behind the gateway or a
queue: EventBridge's Scheduled Event, as a rule's Lambda target receives it."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone


def scheduled_event(function: str, region: str = "us-east-1", account: str = "123456789012") -> dict:
    return {
        "version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.events",
        "account": account, "time": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "region": region,
        "resources": [f"arn:aws:events:{region}:{account}:rule/{function}-schedule"], "detail": {},
    }
