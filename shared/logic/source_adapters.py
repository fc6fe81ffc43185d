"""Each API source as a sequence of pages from a cursor: what the fetch step needs to know
of Toggl and Harvest (the clients are shared/sources). A cursor is a plain dict that goes
into the next step's message; pages come as (records, the cursor after them, the total the
source announced or None)."""
from __future__ import annotations

import hashlib
import json
import time
from datetime import date
from typing import Iterator

from shared.data import bucket_layout, objects, rate_limits
from shared.settings import get_settings
from shared.sources import harvest, toggl

Page = tuple[list[dict], dict | None, int | None]
HARVEST_WINDOW, HARVEST_LIMIT = 15, 100  # Harvest: 100 requests per 15 s per token, all workers together


def token_key(source: str, token: str) -> str:
    """A token's name in shared counters: a hash, never the token."""
    return f"{source}:{hashlib.sha256(token.encode()).hexdigest()[:20]}"


def harvest_limiter(token: str, sleep=time.sleep):
    """Before each Harvest request: take a slot in the token's 15 s window (a DynamoDB
    counter shared by every worker), or sleep to the next window."""
    key = token_key("harvest", token)

    def before():
        while True:
            now = time.time()
            window = int(now) - int(now) % HARVEST_WINDOW
            if rate_limits.count_in_window(key, window, HARVEST_WINDOW, HARVEST_LIMIT):
                return
            sleep(window + HARVEST_WINDOW - now + 0.05)

    return before


def toggl_client(secret: dict) -> toggl.Toggl:
    return toggl.Toggl(secret["api_token"], get_settings().toggl_api_url)


def harvest_client(secret: dict) -> harvest.Harvest:
    s = get_settings()
    return harvest.Harvest(secret["api_token"], s.harvest_api_url, s.harvest_id_url, secret.get("account_id"),
                           before=harvest_limiter(secret["api_token"]))


def _days(secret: dict) -> tuple[date, date]:
    return date.fromisoformat(secret["start_date"]), date.fromisoformat(secret["end_date"])


class ImportCatalogs:
    """What an import fetched once (a workspace's names), kept beside its chunks in S3; a
    preview keeps them in a plain dict instead, writing nothing."""

    def __init__(self, import_id: int):
        self.import_id = import_id

    def get(self, name: str):
        raw = objects.read_if_any(bucket_layout.import_catalog(self.import_id, name))
        return json.loads(raw) if raw is not None else None

    def __setitem__(self, name: str, value) -> None:
        objects.put_json(bucket_layout.import_catalog(self.import_id, name), value)


def _once(catalogs, name: str, fetch):
    value = catalogs.get(name)
    if value is None:
        value = fetch()
        catalogs[name] = value
    return value


def toggl_pages(catalogs, secret: dict, cursor: dict) -> Iterator[Page]:
    """Every workspace (the one asked for, or all the token sees), each in windows of a year,
    each window page by page."""
    client = toggl_client(secret)
    if "workspaces" not in cursor:
        wanted = secret.get("workspace_id")
        cursor = {"workspaces": [int(wanted)] if wanted else [w["id"] for w in client.workspaces()],
                  "w": 0, "window": 0, "after": None}
    start, end = _days(secret)
    spans = toggl.windows(start, end)
    while cursor["w"] < len(cursor["workspaces"]):
        wid = cursor["workspaces"][cursor["w"]]
        catalog = toggl.Catalog.from_record(_once(catalogs, f"toggl-{wid}",
                                                  lambda w=wid: client.catalog(w).as_record()))
        lo, hi = spans[cursor["window"]]
        rows, after = client.report_page(wid, lo, hi, cursor["after"])
        cursor = dict(cursor, after=after)
        if after is None:  # the window is done: the next one, or the next workspace
            cursor["window"] += 1
            if cursor["window"] >= len(spans):
                cursor.update(w=cursor["w"] + 1, window=0)
        done = cursor["w"] >= len(cursor["workspaces"])
        yield toggl.records(rows, wid, catalog), (None if done else cursor), None


def harvest_pages(catalogs, secret: dict, cursor: dict) -> Iterator[Page]:
    """Every Harvest account (the one asked for, or all the token's), following links.next."""
    client = harvest_client(secret)
    if "accounts" not in cursor:
        wanted = secret.get("account_id")
        cursor = {"accounts": [int(wanted)] if wanted else [a["id"] for a in client.accounts()], "a": 0, "url": None}
    start, end = _days(secret)
    while cursor["a"] < len(cursor["accounts"]):
        account = cursor["accounts"][cursor["a"]]
        client.for_account(account)
        users = {int(k): v for k, v in _once(catalogs, f"harvest-{account}-users", client.users).items()}
        entries, following, total = client.entries_page(cursor["url"] or client.first_page_url(start, end))
        cursor = dict(cursor, url=following)
        if following is None:
            cursor.update(a=cursor["a"] + 1, url=None)
        done = cursor["a"] >= len(cursor["accounts"])
        yield harvest.records(entries, account, users), (None if done else cursor), (
            total if len(cursor["accounts"]) == 1 else None)


PAGES = {"toggl_api": toggl_pages, "harvest_api": harvest_pages}


def is_running(record: dict) -> bool:
    """A timer still running at the source: skipped (and reported), not imported half-done."""
    if "is_running" in record:
        return record["is_running"] == "true"
    return not record.get("stop") or record.get("seconds", "").startswith("-")


def entry_id(source_id: str) -> int:
    """An entry's id from (source, account or workspace, source entry id): the same record
    imported again lands on the same id, so it is recognised and never doubled. Ids of this
    kind live in [2^52, 2^53): above any counter-issued id, and exact in JavaScript."""
    digest = int.from_bytes(hashlib.sha256(source_id.encode()).digest()[:8], "big")
    return 2 ** 52 + digest % 2 ** 52
