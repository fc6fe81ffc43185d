"""`tt`: the project's command line (installed into .venv/bin/tt by `make run` / `make test`).

    tt login [--url URL] [--token TOKEN]          saves both in ~/.config/tt/config.json (mode 0600)
    tt import FILE [--type T --date-format F --timezone Z --skip-duplicates --wait]
    tt import undo ID
    tt imports [--status S]
    tt export gdpr [--format json|zip] [-o FILE]  waits, downloads, verifies
    tt export filtered [--format json|csv] [--start-date D --end-date D --project-id N ...] [-o FILE]
    tt backup create [-o FILE] | download ID [-o FILE] | restore FILE [--dry-run] [--yes]
    tt toggl import --start-date D [--workspace-id N] [--wait]     (token: $TOGGL_API_TOKEN)
    tt harvest import --start-date D [--account-id N] [--wait]     (token: $HARVEST_PAT)
    tt harvest-backup [-o DIR] ...                (Harvest's data to a directory, as getharvest-backup)

TT_API_URL and TT_TOKEN override the saved login; --json prints the API's answer for scripts.
Exit status: 0 success, 1 a failed job (or an import that refused rows) or a refusal by the API,
2 wrong usage (or not signed in), 3 a backup directory that does not match its manifest.
"""
from __future__ import annotations

import argparse
import sys

from shared.cli import harvest_backup, jobs
from shared.cli.client import CliError, fail


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print the API's answer as JSON (for scripts)")
    top = argparse.ArgumentParser(prog="tt", description="TimeTracker Serverless command line",
                                  formatter_class=argparse.RawDescriptionHelpFormatter,
                                  epilog="Exit status: 0 success, 1 failed job or API refusal, 2 usage.")
    commands = top.add_subparsers(dest="command", required=True)
    jobs.add_parsers(commands, common)
    harvest_backup.add_parser(commands)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except CliError as exc:
        return fail(str(exc), exc.code)
    except KeyboardInterrupt:
        return fail("interrupted (a job already started goes on; see tt imports)", 130)


if __name__ == "__main__":
    sys.exit(main())
