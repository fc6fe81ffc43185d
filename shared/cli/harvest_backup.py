"""`tt harvest-backup`: every Harvest account of a token into a directory, as getharvest-backup does.

    tt harvest-backup [--pat PAT] [-o DIR] [--account ID ...] [--user-agent UA] [--dry-run] [-v | -q]
    tt harvest-backup --verify DIR
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from shared.cli.client import EXIT_FAILED, EXIT_USAGE, fail

EXIT_VERIFY = 3


class TerminalProgress:
    """Per account and endpoint: items, requests made, time waited for the rate limit. On a
    terminal one line is rewritten in place; elsewhere each endpoint's line is printed once
    (with -v). -q prints nothing but errors."""

    def __init__(self, stream, *, verbose: bool, quiet: bool, limiter=None):
        self.stream, self.verbose, self.quiet, self.limiter = stream, verbose, quiet, limiter
        self.live = stream.isatty() and not quiet

    def _line(self, account, folder, items, requests=None) -> str:
        waited = f", waited {self.limiter.waited:.0f} s for the rate limit" if self.limiter and \
            self.limiter.waited else ""
        made = f", {requests} requests" if requests is not None else ""
        return f"account {account} {folder}: {items} items{made}{waited}"

    def endpoint(self, account, folder, items, requests):
        if self.live:
            self.stream.write("\r\033[K" + self._line(account, folder, items, requests))
            self.stream.flush()

    def finished(self, account, folder, items):
        if self.live:
            self.stream.write("\r\033[K" + self._line(account, folder, items) + "\n")
        elif self.verbose:
            self.stream.write(self._line(account, folder, items) + "\n")

    def note(self, message):
        if not self.quiet:
            self.stream.write(("\r\033[K" if self.live else "") + message + "\n")

    def wait(self, seconds):
        if self.verbose and not self.live:
            self.stream.write(f"rate limit: waiting {seconds:.1f} s\n")


def harvest_backup(args) -> int:
    from shared.harvest_backup.engine import RUN_MANIFEST, Backup, verify
    from shared.harvest_backup.stores import DirectoryStore, DryRunStore
    from shared.settings import get_settings
    from shared.sources.harvest import USER_AGENT, Harvest
    from shared.sources.http import SlidingWindow, SourceError

    if args.verify:
        store = DirectoryStore(args.verify)
        raw = store.read(RUN_MANIFEST)
        if raw is None:
            return fail(f"{args.verify} has no {RUN_MANIFEST}: not a backup made by tt harvest-backup", EXIT_USAGE)
        problems = verify(store, json.loads(raw))
        for problem in problems:
            print(problem)
        if problems:
            return fail(f"{len(problems)} of {len(json.loads(raw)['files'])} files do not match the manifest",
                         EXIT_VERIFY)
        if not args.quiet:
            print(f"all {len(json.loads(raw)['files'])} files match {RUN_MANIFEST}")
        return 0
    pat = args.pat or os.environ.get("HARVEST_PAT")
    if not pat:
        return fail("no Personal Access Token: pass --pat or set HARVEST_PAT", EXIT_USAGE)
    settings = get_settings()
    progress = TerminalProgress(sys.stderr, verbose=args.verbose, quiet=args.quiet)
    limiter = SlidingWindow(100, 15, on_wait=progress.wait)  # Harvest: 100 requests per 15 s, all accounts
    progress.limiter = limiter
    store = DryRunStore(args.output) if args.dry_run else DirectoryStore(args.output)
    try:
        client = Harvest(pat, settings.harvest_api_url, settings.harvest_id_url,
                         user_agent=args.user_agent or USER_AGENT, before=limiter)
        backup = Backup(client, store, settings.harvest_pdf_url, progress=progress, accounts=args.account or None,
                        dry_run=args.dry_run)
        result = backup.run()
    except SourceError as exc:
        return fail(exc.message, EXIT_FAILED)
    except OSError as exc:
        return fail(f"cannot write the backup: {exc}", EXIT_FAILED)
    if args.dry_run:
        for path, size in store.planned:
            if args.verbose:
                print(f"would write {path} ({size} bytes)")
        print(f"dry run: {len(store.planned)} files would be written under {args.output}; nothing was written "
              f"({result.requests} requests)")
    if result.failed:
        return fail(f"{len(result.failed)} endpoint(s) could not be backed up ({', '.join(result.failed[:5])}); "
                     f"the rest is in {args.output}, see manifest.json", EXIT_FAILED)
    if not args.quiet and not args.dry_run:
        items = sum(n for counts in result.endpoints.values() for n in counts.values())
        print(f"backed up {len(result.accounts)} account(s), {items} items, {result.files.count} files, "
              f"{result.pdfs['downloaded']} PDFs downloaded ({result.pdfs['unchanged']} unchanged), "
              f"{result.requests} requests, into {Path(args.output)}")
    return 0


def add_parser(commands) -> None:
    backup = commands.add_parser("harvest-backup", help="back up every Harvest account of a token to a directory")
    backup.add_argument("--pat", help="Harvest Personal Access Token (default: $HARVEST_PAT)")
    backup.add_argument("-o", "--output", default="./backup", help="the backup directory (default ./backup)")
    backup.add_argument("--account", type=int, action="append", metavar="ID", help="only this account (repeatable)")
    backup.add_argument("--user-agent", help="the User-Agent Harvest sees (name it and a contact)")
    backup.add_argument("--dry-run", action="store_true", help="list what would be fetched and written; write nothing")
    backup.add_argument("--verify", metavar="DIR", help="check every file of a backup against its manifest.json")
    noise = backup.add_mutually_exclusive_group()
    noise.add_argument("-v", "--verbose", action="store_true")
    noise.add_argument("-q", "--quiet", action="store_true")
    backup.set_defaults(run=harvest_backup)
