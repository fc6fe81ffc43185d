"""Third-party credentials at rest: sealed with KMS (the cloud's key; moto's KMS locally),
bound to the record they belong to by the encryption context, so a sealed value copied
onto another record does not open. Plaintext never leaves the function that uses it."""
from __future__ import annotations

import json
from functools import lru_cache

from shared.settings import get_settings


@lru_cache(maxsize=1)
def _kms():
    import boto3

    return boto3.client("kms", region_name=get_settings().region)


def seal(values: dict, context: dict[str, str]) -> bytes:
    return _kms().encrypt(KeyId=get_settings().credentials_key, Plaintext=json.dumps(values).encode(),
                          EncryptionContext=context)["CiphertextBlob"]


class SealBroken(Exception):
    """The sealed value no longer opens (its key is gone: a local stack's KMS is not kept
    across restarts; or it was moved onto another record)."""


def open_sealed(blob: bytes, context: dict[str, str]) -> dict:
    from botocore.exceptions import ClientError

    try:
        return json.loads(_kms().decrypt(CiphertextBlob=blob, EncryptionContext=context)["Plaintext"])
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("InvalidCiphertextException", "NotFoundException",
                                                          "AccessDeniedException", "DisabledException"):
            raise SealBroken(exc.response["Error"]["Code"]) from None
        raise
