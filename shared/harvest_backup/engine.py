"""The backup engine: every Harvest account of a token, every endpoint, each item's file,
sub-resources and PDFs, written through a store (a directory or the data bucket).

Lists are streamed: each page's items go to ``list.json`` (written as ``json.dumps(list,
indent=2)`` would write it) and their own files as they arrive, so memory holds one page,
not the account. PDFs are kept incrementally: ``.artifacts_manifest.json`` holds, per
account, ``"<endpoint>:<id>"`` → sha256 of the item's JSON without ``updated_at``; a PDF is
downloaded when missing or when that hash changed. ``manifest.json`` records the run:
accounts, endpoints, item counts, every file's sha256, requests made, what was skipped.
"""
from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone

from shared.harvest_backup.endpoints import ENDPOINTS, Endpoint, account_dir
from shared.sources import harvest
from shared.sources.harvest import Harvest
from shared.sources.http import SourceError, SourceRefused, SourceSession

ARTIFACTS_MANIFEST = ".artifacts_manifest.json"
RUN_MANIFEST = "manifest.json"


def dumps(value) -> bytes:
    return json.dumps(value, indent=2, ensure_ascii=False).encode("utf-8")


def item_hash(item: dict) -> str:
    """What decides whether a PDF changed: the item without ``updated_at``."""
    return hashlib.sha256(json.dumps({k: v for k, v in item.items() if k != "updated_at"}, sort_keys=True,
                                     ensure_ascii=False).encode()).hexdigest()


class Quiet:
    """The progress interface (the command shows it on a terminal)."""

    def endpoint(self, account: int, folder: str, items: int, requests: int) -> None: ...
    def finished(self, account: int, folder: str, items: int) -> None: ...
    def note(self, message: str) -> None: ...


class FileLog:
    """path -> {"sha256", "bytes"} of every file written, kept in a temporary file rather than
    in memory (an account of 50,000 entries is 50,000 files); read back in order."""

    def __init__(self):
        self._log = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.count = self.bytes = 0

    def __setitem__(self, path: str, value: dict) -> None:
        self._log.write(json.dumps([path, value["sha256"], value["bytes"]]) + "\n")
        self.count += 1
        self.bytes += value["bytes"]

    def __len__(self) -> int:
        return self.count

    def items(self):
        self._log.flush()
        self._log.seek(0)
        for line in self._log:
            path, digest, size = json.loads(line)
            yield path, {"sha256": digest, "bytes": size}
        self._log.seek(0, 2)

    def as_dict(self) -> dict:
        return dict(self.items())


@dataclass
class RunResult:
    started_at: str
    accounts: list[dict] = field(default_factory=list)
    endpoints: dict = field(default_factory=dict)  # account -> folder -> items
    files: FileLog = field(default_factory=FileLog)
    skipped: list = field(default_factory=list)
    failed: list = field(default_factory=list)  # "<account>/<endpoint>" that could not be read
    pdfs: dict = field(default_factory=lambda: {"downloaded": 0, "unchanged": 0})  # (a dry run downloads none)
    requests: int = 0
    finished_at: str | None = None

    def write_manifest(self, out) -> None:
        """The run's record, as JSON (indent 2), the file list streamed from the log."""
        head = {"tool": "tt harvest-backup", "started_at": self.started_at, "finished_at": self.finished_at,
                "accounts": self.accounts, "endpoints": self.endpoints, "requests": self.requests,
                "pdfs": self.pdfs, "skipped": self.skipped, "failed": self.failed}
        out.write(dumps(head)[:-2] + b',\n  "files": {')
        for n, (path, value) in enumerate(self.files.items()):
            out.write((b"\n    " if not n else b",\n    ") + json.dumps(path, ensure_ascii=False).encode() + b": "
                      + json.dumps(value).encode())
        out.write(b"\n  }\n}" if len(self.files) else b"}\n}")


class Backup:
    def __init__(self, client: Harvest, store, pdf_url: str, *, pdf_session: SourceSession | None = None,
                 progress=None, accounts: list[int] | None = None, endpoints: tuple[Endpoint, ...] = ENDPOINTS,
                 dry_run: bool = False):
        self.client, self.store, self.pdf_url, self.dry_run = client, store, pdf_url, dry_run
        # Public links, no credentials: a redirect (to where the PDF is stored) may be followed.
        self.pdfs = pdf_session or SourceSession("Harvest PDFs", {"User-Agent": client.http.session.headers[
            "User-Agent"]}, follow_redirects=True)
        self.progress = progress or Quiet()
        self.wanted, self.endpoints = accounts, endpoints
        self.result = RunResult(started_at=_now())
        self.artifacts: dict = {}

    # -- the run -------------------------------------------------------------------------
    def discover(self) -> list[dict]:
        """Harvest accounts of the token (Forecast ones skipped, said so), those asked for."""
        body = self.client.http.get_json(f"{self.client.id_url}/api/v2/accounts")
        found = []
        for account in body.get("accounts") or ():
            if (account.get("product") or "harvest") != "harvest":
                self.skip(account.get("id"), "account", f"a {account.get('product')} account, not Harvest")
            elif self.wanted is None or account["id"] in self.wanted:
                found.append(account)
        missing = set(self.wanted or ()) - {a["id"] for a in found}
        if missing:
            raise SourceError(f"No Harvest account {', '.join(map(str, sorted(missing)))} for this token")
        return found

    def run(self) -> RunResult:
        accounts = self.discover()
        self.result.accounts = [{"id": a["id"], "name": a.get("name"), "product": a.get("product")} for a in accounts]
        self.write("accounts.json", dumps(self.result.accounts))
        self.artifacts = json.loads(self.store.read(ARTIFACTS_MANIFEST) or b"{}")
        for account in accounts:
            self._account(account["id"])
        self.write(ARTIFACTS_MANIFEST, dumps(self.artifacts))
        self.result.requests = self.client.http.requests + self.pdfs.requests
        self.result.finished_at = _now()
        with self.store.writing(RUN_MANIFEST) as out:  # last: the record of everything above
            self.result.write_manifest(out)
        return self.result

    def _account(self, account_id: int) -> None:
        self.client.for_account(account_id)
        base = account_dir(account_id)
        company = self.client.http.get_json(f"{self.client.api}/v2/company")
        subdomain = subdomain_of(company)
        self.result.endpoints[str(account_id)] = {}
        for endpoint in self.endpoints:
            try:
                self._endpoint(account_id, base, endpoint, company, subdomain)
            except SourceRefused:
                raise  # the token no longer works: nothing else will
            except SourceError as exc:  # this endpoint only: noted, the others still backed up
                self.result.failed.append(f"{account_id}/{endpoint.folder}")
                self.skip(account_id, endpoint.folder, exc.message)

    def _endpoint(self, account_id: int, base: str, endpoint: Endpoint, company: dict, subdomain) -> None:
        if endpoint.key is None:
            value = company if endpoint.folder == "company" else self.client.http.get_json(
                f"{self.client.api}{endpoint.path}")
            self.write(f"{base}/{endpoint.folder}/data.json", dumps(value))
            self.result.endpoints[str(account_id)][endpoint.folder] = 1
            return
        pdfs = self._list(account_id, base, endpoint)
        if endpoint.pdf:
            self.pdfs_of(account_id, f"{base}/{endpoint.folder}", endpoint, subdomain, pdfs)

    def _list(self, account_id: int, base: str, endpoint: Endpoint) -> list[tuple]:
        """Stream the list to list.json and one file per item; then the items' sub-resources.
        Returns (id, client_key, hash) of items with PDFs."""
        folder = f"{base}/{endpoint.folder}" if base else endpoint.folder
        ids, pdfs = [], []

        def items():  # each page's items, once their own files are written
            seen = 0
            for page in self.pages(f"{self.client.api}{endpoint.path}", endpoint.key):
                ids_, pdfs_ = self.write_items(folder, endpoint, page)
                ids.extend(ids_ if endpoint.subs else [])  # only what the sub-resources need
                pdfs.extend(pdfs_)
                seen += len(page)
                self.progress.endpoint(account_id, endpoint.folder, seen, self.client.http.requests)
                yield from page

        count = self.write_list(f"{folder}/list.json", items())
        self.result.endpoints.setdefault(str(account_id), {})[endpoint.folder] = count
        self.sub_resources(account_id, folder, endpoint, ids)
        self.progress.finished(account_id, endpoint.folder, count)
        return pdfs

    def write_list(self, path: str, items) -> int:
        """``list.json`` streamed from ``items`` (an iterator), as ``json.dumps(list, indent=2)``
        writes it; returns how many items it holds."""
        count = 0
        with self.store.writing(path) as out:
            out.write(b"[")
            for item in items:
                out.write((b",\n" if count else b"\n") + b"\n".join(b"  " + line for line in dumps(item).split(b"\n")))
                count += 1
            out.write(b"\n]" if count else b"]")
        self.record(path, out)
        return count

    def write_items(self, folder: str, endpoint: Endpoint, items: list[dict]) -> tuple[list, list]:
        """Each item's own file; (their ids, (id, client_key, hash) of those with PDFs)."""
        ids, pdfs = [], []
        for item in items:
            self.write(f"{folder}/{item['id']}.json", dumps(item))
            ids.append(item["id"])
            if endpoint.pdf and item.get("client_key"):
                pdfs.append((item["id"], item["client_key"], item_hash(item)))
        return ids, pdfs

    def sub_resources(self, account_id: int, folder: str, endpoint: Endpoint, ids: list[int]) -> None:
        for sub in endpoint.subs:
            for item_id in ids:
                try:
                    values = [v for page in self.pages(f"{self.client.api}{sub.path.format(id=item_id)}", sub.key)
                              for v in page]
                except SourceError as exc:
                    if exc.status == 422:  # e.g. teammates of someone who manages no one
                        self.skip(account_id, f"{endpoint.folder}/{item_id}_{sub.name}", exc.message)
                        continue
                    raise
                self.write(f"{folder}/{item_id}_{sub.name}.json", dumps(values))

    def pages(self, url: str, key: str):
        """Every page of a list, following ``links.next`` (Harvest's advice), 2,000 a page."""
        while url:
            items, url = self.page(url, key)
            yield items

    def page(self, url: str, key: str) -> tuple[list[dict], str | None]:
        """One page: (its items, the next page's URL from ``links.next``, or None)."""
        if "per_page=" not in url:
            url = f"{url}{'&' if '?' in url else '?'}per_page={harvest.PER_PAGE}"
        body = self.client.http.get_json(url)
        return body.get(key) or [], (body.get("links") or {}).get("next")

    def pdfs_of(self, account_id: int, folder: str, endpoint: Endpoint, subdomain: str | None, items: list) -> None:
        if not items:
            return
        if not subdomain:
            self.skip(account_id, f"{endpoint.folder}/artifacts", "the company has no subdomain: no PDF links")
            return
        known = self.artifacts.setdefault(str(account_id), {})
        for item_id, client_key, digest in items:
            path = f"{folder}/artifacts/{item_id}.pdf"
            name = f"{endpoint.folder}:{item_id}"
            if known.get(name) == digest and (self.store.exists(path) or self.store.copy_previous(path)):
                self.result.pdfs["unchanged"] += 1
                content = self.store.read(path) or b""  # still part of this run: listed with its checksum
                self.result.files[path] = {"sha256": hashlib.sha256(content).hexdigest(), "bytes": len(content)}
                continue
            url = f"{self.pdf_url.format(subdomain=subdomain)}/client/{endpoint.pdf}/{client_key}.pdf"
            if self.dry_run:  # listed, not fetched
                self.write(path, b"")
                continue
            try:
                content = self.pdfs.call("GET", url).content
            except SourceError as exc:
                self.skip(account_id, path, exc.message)
                continue
            self.write(path, content)
            known[name] = digest
            self.result.pdfs["downloaded"] += 1

    # -- bookkeeping ---------------------------------------------------------------------
    def write(self, path: str, content: bytes) -> None:
        with self.store.writing(path) as out:
            out.write(content)
        self.record(path, out)

    def record(self, path: str, out) -> None:
        self.result.files[path] = {"sha256": out.digest.hexdigest(), "bytes": out.size}

    def skip(self, account, what: str, why: str) -> None:
        self.result.skipped.append({"account": account, "what": what, "why": why})
        self.progress.note(f"skipped {what}: {why}")


def subdomain_of(company: dict) -> str | None:
    domain = company.get("full_domain") or (company.get("base_uri") or "").split("//")[-1]
    return domain.split(".")[0] if domain else None


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def verify(store, manifest: dict) -> list[str]:
    """Problems found checking every file of a run's manifest against what is stored."""
    problems = []
    for path, expected in sorted(manifest.get("files", {}).items()):
        content = store.read(path)
        if content is None:
            problems.append(f"missing: {path}")
        elif hashlib.sha256(content).hexdigest() != expected["sha256"]:
            problems.append(f"changed: {path}")
    return problems
