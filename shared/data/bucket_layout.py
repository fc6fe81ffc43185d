"""The data bucket's layout: every prefix and key the system writes, in one place.

The API and the workers build keys here; the CDK storage construct takes its
lifecycle rules from EXPIRING and the IAM grants (infra/cloud/access.py) their
resources from the prefixes, so a key and the rule or grant that covers it cannot
drift apart. Pure constants and string builders: no boto3.
"""
from __future__ import annotations

UPLOADS = "uploads/"  # everything a user sent: expired after EXPIRY_DAYS
IMPORT_FILES = f"{UPLOADS}imports/"  # files being imported, their chunks, presigned uploads
INCOMING = f"{IMPORT_FILES}incoming/"  # presigned PUTs (imports and backups to restore)
RESTORE_FILES = f"{UPLOADS}restores/"  # backups sent in a restore request, and re-laid ones
EXPORTS = "exports/"  # export files: expired after EXPIRY_DAYS
HARVEST_BACKUPS = "harvest-backups/"  # scheduled Harvest backups: kept (no lifecycle rule)

EXPIRY_DAYS = 7
EXPIRING = (EXPORTS, UPLOADS)  # the lifecycle rules: one per prefix

MAX_UPLOAD_BYTES = 200 * 2**20  # a presigned upload, and any file an import reads


def under(prefix: str) -> str:
    """The object pattern an IAM grant uses for a prefix."""
    return f"{prefix}*"


def import_file(import_id: int) -> str:
    return f"{IMPORT_FILES}{import_id}.csv"


def import_chunk(import_id: int, n: int) -> str:
    """A chunk of rows the split wrote for the chunk workers (messages only name it)."""
    return f"{IMPORT_FILES}{import_id}/chunks/{n:06d}.json"


def incoming_upload(user_id: int, upload_id: str) -> str:
    """A presigned upload, under its user: an upload_id is useless to anyone else."""
    return f"{INCOMING}{user_id}/{upload_id}.csv"


def export_file(export_id: int, filename: str) -> str:
    return f"{EXPORTS}{export_id}/{filename}"


def restore_file(name: str) -> str:
    """A backup sent in the request of a restore."""
    return f"{RESTORE_FILES}{name}.json"


def relaid_backup(restore_id: int) -> str:
    """A reformatted backup written out again one item per line."""
    return f"{RESTORE_FILES}{restore_id}/relaid.json"


def import_catalog(import_id: int, name: str) -> str:
    """What an import from an API fetched once and reads at every step (a workspace's names)."""
    return f"{IMPORT_FILES}{import_id}/source/{name}.json"


def harvest_run(account: int, run_date: str) -> str:
    """One account's backup of one day: the layout of `tt harvest-backup`'s account folder."""
    return f"{HARVEST_BACKUPS}{account}/{run_date}/"


def harvest_artifacts(account: int, folder: str) -> str:
    """Which PDFs of an account's endpoint were fetched, for which item versions (kept across runs)."""
    return f"{HARVEST_BACKUPS}{account}/.artifacts/{folder}.json"
