"""What each function may do to each table: the least-privilege IAM grants, in plain
data (no CDK import) so the integration tests can check real calls against it."""
from shared.data.bucket_layout import EXPORTS, HARVEST_BACKUPS, IMPORT_FILES, RESTORE_FILES, under
from shared.exports.backup_format import BACKED_UP

READ = ("dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem")
SCAN = ("dynamodb:Scan",)
WRITE = READ + ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem")
UPDATE = ("dynamodb:UpdateItem",)

# Every authenticated request touches its token and counts itself (shared/api/app.py).
AUTH = {"api_tokens": UPDATE, "rate_limits": UPDATE}
CATALOG = {"unique_names": WRITE, "counters": UPDATE, "search_terms": WRITE}
# Reading time entries looks up which of their index keys are sharded (flags in counters: shared/data/sharded.py).
SHARD_FLAGS = ("dynamodb:GetItem",)
ENTRY_READS = {"time_entries": READ, "counters": SHARD_FLAGS}
# Writing entries checks projects, tasks and the user's time zone, and guards the running timer; a bulk write
# marks the index keys it spreads over as sharded.
ENTRIES = {**CATALOG, "time_entries": WRITE, "counters": UPDATE + SHARD_FLAGS, "projects": READ,
           "tasks": READ, "users": READ}
ACCESS: dict[str, dict[str, tuple[str, ...]]] = {
    "system": {},
    "docs": {},
    "users": {**AUTH, "unique_names": WRITE, "counters": UPDATE, "users": WRITE},
    "api_tokens": {**AUTH, "counters": UPDATE, "api_tokens": WRITE, "users": READ},
    "projects": {**AUTH, **CATALOG, "projects": WRITE, "clients": READ},
    "clients": {**AUTH, **CATALOG, "clients": WRITE, "projects": READ},
    "tasks": {**AUTH, **CATALOG, "tasks": WRITE, "projects": READ},
    # CSV import finds or creates projects, clients and tasks by name, or hands big files to the pipeline.
    "time_entries": {**AUTH, **ENTRIES, "idempotency": WRITE, "projects": WRITE, "clients": WRITE, "tasks": WRITE,
                     "imports": WRITE},
    "timer": {**AUTH, **ENTRIES},
    "reports": {**AUTH, **ENTRY_READS, "projects": READ, "users": READ},
    "search": {**AUTH, **ENTRY_READS, "search_terms": READ, "projects": READ, "tasks": READ, "clients": READ},
    # Starting imports: the record, its id, the file to S3 and the split message; previews read names.
    "imports": {**AUTH, **ENTRY_READS, "imports": WRITE, "import_errors": READ, "counters": UPDATE + SHARD_FLAGS,
                "unique_names": READ, "projects": READ, "users": READ},
    # An undo deletes the tasks, projects and clients its import created, with their name guards.
    # Fetch steps of imports from APIs count Harvest's requests in rate_limits (shared per token).
    "import_worker": {**ENTRIES, "imports": WRITE, "import_errors": WRITE, "projects": WRITE, "clients": WRITE,
                      "tasks": WRITE, "rate_limits": UPDATE},
    "import_dead_letters": {"imports": WRITE, "import_errors": WRITE, "unique_names": WRITE},
    # Starting exports and restores: their records and ids; names for file names, projects for filters.
    "exports": {**AUTH, "exports": WRITE, "restores": WRITE, "counters": UPDATE, "users": READ, "projects": READ},
    # Builds exports (reads what a user holds; a backup Scans every backed-up table) and runs restores
    # (which replace those tables). The only function allowed to Scan: it serves no request.
    "export_worker": {**{t: WRITE + SCAN for t in BACKED_UP},
                      "exports": WRITE, "restores": WRITE,
                      # ...and the steps of scheduled Harvest backups (Harvest's limiter counts in rate_limits)
                      "harvest_connections": WRITE, "harvest_runs": WRITE, "rate_limits": UPDATE},
    "export_dead_letters": {"exports": WRITE, "restores": WRITE, "harvest_runs": WRITE},
    # Scheduled Harvest backups: connections (a token checked with Harvest, then sealed), runs, run downloads.
    "harvest": {**AUTH, "harvest_connections": WRITE, "harvest_runs": WRITE, "counters": UPDATE, "exports": WRITE},
    "harvest_scheduler": {"harvest_connections": WRITE, "harvest_runs": WRITE, "counters": UPDATE},
    # Webhooks: subscriptions and their log (the API); the dispatcher reads who subscribes (one Query a
    # batch; the streams it reads are granted by its event sources); the worker logs every attempt.
    "webhooks": {**AUTH, "webhooks": WRITE, "webhook_deliveries": READ, "counters": UPDATE},
    "webhook_dispatcher": {"webhooks": READ},
    "webhook_worker": {"webhooks": WRITE, "webhook_deliveries": WRITE},
    "webhook_dead_letters": {"webhook_deliveries": WRITE},
    # The inventory module: its switch, catalogue, levels and movements (a movement writes its levels,
    # marks its item and warehouse, and takes ids from counters); sku and code guards in unique_names.
    "inventory": {**AUTH, "settings": WRITE, "stock_items": WRITE, "warehouses": WRITE, "stock_levels": WRITE,
                  "stock_movements": WRITE, "unique_names": WRITE, "counters": UPDATE},
}

# S3 (the data bucket) and SQS, beyond DynamoDB.
OBJECTS: dict[str, dict[str, str]] = {  # function -> {pattern: "read" | "write" | "read-write" | "manage"}
    "time_entries": {under(IMPORT_FILES): "write"},
    "imports": {under(IMPORT_FILES): "read-write"},  # stores files, signs upload URLs, checks uploads
    "import_worker": {under(IMPORT_FILES): "read-write"},  # reads the file, writes and reads its chunks
    # Signs download URLs; stores a backup sent in the request and checks uploaded ones.
    "exports": {under(EXPORTS): "read", under(RESTORE_FILES): "read-write", under(IMPORT_FILES): "read"},
    # Writes export files (multipart: PutObject covers the parts; aborting needs its own action);
    # reads backups to restore, and writes a re-laid one.
    "export_worker": {under(EXPORTS): "read-write", under(RESTORE_FILES): "read-write", under(IMPORT_FILES): "read",
                      # Harvest backups: writes them, copies unchanged PDFs, deletes a run's working parts
                      under(HARVEST_BACKUPS): "manage"},
    "harvest": {under(EXPORTS): "read"},  # signs the download of a run's ZIP
}
SENDS_TO: dict[str, tuple[str, ...]] = {  # function -> queues it sends to
    "time_entries": ("imports",),
    "imports": ("imports",),
    "import_worker": ("imports",),
    "exports": ("exports",),
    "export_worker": ("exports",),
    "export_dead_letters": ("exports",),  # a restore that gave up rolls back in the export worker
    "harvest": ("exports",),  # a run's first step, a run's ZIP
    "harvest_scheduler": ("exports",),
    "webhooks": ("webhooks",),  # test pings, manual retries
    "webhook_dispatcher": ("webhooks",),
    "webhook_worker": ("webhooks",),  # the next attempt
}


# The KMS key that seals third-party credentials and webhook secrets: the API seals them (and opens
# a webhook's current secret to keep it beside a new one), the steps open them.
SEALS: dict[str, tuple[str, ...]] = {"imports": ("kms:Encrypt",), "import_worker": ("kms:Decrypt",),
                                     "harvest": ("kms:Encrypt",), "export_worker": ("kms:Decrypt",),
                                     "webhooks": ("kms:Encrypt", "kms:Decrypt"), "webhook_worker": ("kms:Decrypt",)}


def actions_of(operation: str, params: dict) -> list[tuple[str, str]]:
    """The (table name, IAM action) pairs one DynamoDB API call needs."""
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [(table, f"dynamodb:{operation}") for table in params.get("RequestItems", {})]
    if operation in ("TransactWriteItems", "TransactGetItems"):
        kinds = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                 "ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}
        return [(body["TableName"], f"dynamodb:{kinds[kind]}")
                for item in params.get("TransactItems", []) for kind, body in item.items()]
    return [(params.get("TableName", "?"), f"dynamodb:{operation}")]
