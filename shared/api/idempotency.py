"""Idempotency-Key on creating requests, with Powertools' idempotency utility and its
DynamoDB persistence layer: the first response is stored for 24 hours per token and
key; a repeat gets the same status and body, the same key with another body a 422,
and a repeat while the first is still running a 409.

Imported on first use only, so requests without the header never pay for it.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Callable

from shared.errors import Conflict, IdempotencyKeyReused, ValidationFailed
from shared.settings import get_settings

MAX_KEY_LENGTH = 128
TTL_SECONDS = 24 * 3600


def check_key(key: str) -> str:
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationFailed.field("Idempotency-Key", f"Give 1 to {MAX_KEY_LENGTH} characters")
    return key


@lru_cache(maxsize=1)
def _utility():
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    persistence = DynamoDBPersistenceLayer(table_name=get_settings().table("idempotency"))
    config = IdempotencyConfig(event_key_jmespath="scope", payload_validation_jmespath="body",
                               raise_on_no_idempotency_key=True, expires_after_seconds=TTL_SECONDS)

    @idempotent_function(data_keyword_argument="request", persistence_store=persistence, config=config)
    def run(request: dict, produce: Callable[[], tuple[int, dict]]) -> dict:
        status, body = produce()
        return {"status": status, "body": body}

    return run, config


def once(token_id: int, key: str, body: dict, produce: Callable[[], tuple[int, dict]], lambda_context=None
         ) -> tuple[int, dict]:
    """Run ``produce`` at most once per (token, key); returns (status, JSON body)."""
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    run, config = _utility()
    if lambda_context is not None:
        config.register_lambda_context(lambda_context)
    try:
        stored = run(request={"scope": f"{token_id}:{key}", "body": body}, produce=produce)
    except IdempotencyValidationError:
        raise IdempotencyKeyReused("This Idempotency-Key was used with a different request body") from None
    except IdempotencyAlreadyInProgressError:
        raise Conflict("A request with this Idempotency-Key is still being processed; retry shortly",
                       "idempotency_key_in_progress") from None
    return stored["status"], stored["body"]
