"""Files too big for a request (imports, backups to restore) go straight to S3 through
a presigned PUT, to a key of the caller's own: an upload_id is useless to anyone else."""
from __future__ import annotations

import re
import uuid
from datetime import timedelta

from shared.clock import iso_z, utcnow
from shared.data import bucket_layout, objects
from shared.domain import Principal
from shared.errors import PayloadTooLarge, ValidationFailed

MAX_UPLOAD_BYTES = bucket_layout.MAX_UPLOAD_BYTES
UPLOAD_URL_SECONDS = 15 * 60
def create_upload(principal: Principal) -> dict:
    upload_id = uuid.uuid4().hex
    key = bucket_layout.incoming_upload(principal.user_id, upload_id)
    return {"upload_id": upload_id, "method": "PUT", "max_bytes": MAX_UPLOAD_BYTES,
            "url": objects.presigned_put(key, UPLOAD_URL_SECONDS),
            "expires_at": iso_z(utcnow() + timedelta(seconds=UPLOAD_URL_SECONDS))}


def uploaded_key(principal: Principal, upload_id: str | None) -> str:
    """The key of the caller's upload, checked: a real upload id, a file PUT, within the limit."""
    if not re.fullmatch(r"[0-9a-f]{32}", upload_id or ""):
        raise ValidationFailed.field("upload_id", "Not an upload id from POST /api/v1/imports/uploads")
    key = bucket_layout.incoming_upload(principal.user_id, upload_id)
    size = objects.size_of(key)
    if size is None:
        raise ValidationFailed.field("upload_id", "Nothing was uploaded for this upload_id: PUT the file first")
    if size > MAX_UPLOAD_BYTES:
        raise PayloadTooLarge(f"Uploads are limited to {MAX_UPLOAD_BYTES // 2**20} MB; this file has "
                              f"{size // 2**20} MB")
    return key
