"""Starting imports (and undoing them, and previewing a file): the API side of the
asynchronous import pipeline.

The file goes to S3 (in the request, or by a presigned PUT), the import record is
written ``pending`` with its typed options, a SplitImport message is queued and the
caller gets the import id at once (202). The workers' side (split, chunks, undo, dead
letters) is shared/logic/import_steps.py; reading an import's results is
shared/logic/import_results.py.
"""
from __future__ import annotations

from shared.clock import iso_z
from shared.data import bucket_layout, objects, work_queue
from shared.data import imports as imports_data
from shared.data import users as users_data
from shared.domain import SKIP, ImportJob, ImportOptions, Principal
from shared.errors import Conflict, InvalidState, ValidationFailed
from shared.jobs.messages import SplitImport, UndoImport
from shared.jobs.status import IMPORT_FINAL, ImportStatus
from shared.logic import catalog_names, import_results, uploads
from shared.logic.entry_rows import People
from shared.logic.time_entries import user_zone
from shared.logic.timeparse import to_utc
from shared.logic.users import validate_timezone
from shared.tracker_files import dialects
from shared.tracker_files.reading import binary_kind, decode_text, head_lines
from shared.tracker_files.rows import iter_records, parse_flag, sniff_delimiter

TYPES = ("autodetect", *dialects.FILE_DIALECTS)


def check_type(wanted: str | None) -> str:
    wanted = (wanted or "autodetect").strip().lower()
    if wanted not in TYPES:
        raise ValidationFailed.field("type", f"Choose one of {', '.join(TYPES)}")
    return wanted


def check_csv(raw: bytes, wanted: str = "autodetect", delimiter: str | None = None) -> None:
    """400 ``invalid_file`` now, not a 202 that fails later: a file that is not text, or whose
    header no dialect reads."""
    kind = binary_kind(raw[:8192])
    if kind:
        raise InvalidState(f"This file is {kind}, not a CSV text file", "invalid_file")
    head = head_lines(raw)
    try:
        header, _ = iter_records(head, delimiter or sniff_delimiter("".join(head)))
        dialects.detect(header, wanted)
    except ValueError as exc:
        raise InvalidState(str(exc), "invalid_file") from None


def start_csv_import(principal: Principal, raw: bytes, filename: str | None = None,
                     wanted: str = "autodetect", options: dict | None = None) -> ImportJob:
    if not raw.strip():
        raise ValidationFailed.field("file", "The file is empty")
    settings = parse_options(options, principal)
    wanted = check_type(wanted)
    check_csv(raw, wanted, settings.field_delimiter)
    import_id = imports_data.new_import_id()
    key = bucket_layout.import_file(import_id)
    objects.put_object(key, raw, "text/csv")
    return _start(principal, import_id, key, wanted, filename, settings)


def _start(principal: Principal, import_id: int, key: str, wanted: str, filename: str | None,
           options: ImportOptions) -> ImportJob:
    job = imports_data.put_import(import_id, {"user_id": principal.user_id, "type": wanted,
                                              "filename": (filename or "")[:255] or None, "object_key": key,
                                              "options": options.as_record()})
    work_queue.send([SplitImport(import_id)])
    return job


DELIMITERS = {",": ",", ";": ";", "\t": "\t", "tab": "\t", "|": "|"}
DATE_FORMATS = {"dd/mm/yyyy": True, "mm/dd/yyyy": False}


def parse_options(raw: dict | None, principal: Principal) -> ImportOptions:
    """The import options a request may set (others are ignored), validated:
    ``field_delimiter`` (, ; tab |), ``date_format`` (DD/MM/YYYY or MM/DD/YYYY: settles
    ambiguous dates), ``timezone`` (for times without an offset; default the user's),
    ``create_projects`` (default true; false rejects rows naming an unknown project),
    ``fallback_user`` (who gets rows of users not found: default the caller; null skips them)
    and ``skip_duplicates`` (default false). Their defaults: ImportOptions."""
    options: dict = {}
    if "fallback_user" in (raw or {}):
        options["fallback_user"] = _fallback_user(raw["fallback_user"], principal)
    raw = {k: str(v).strip() for k, v in (raw or {}).items() if v is not None and str(v).strip()}
    if "field_delimiter" in raw:
        delimiter = DELIMITERS.get(raw["field_delimiter"].lower() if len(raw["field_delimiter"]) > 1
                                   else raw["field_delimiter"])
        if delimiter is None:
            raise InvalidState("field_delimiter must be one of , ; | or tab", "invalid_field_delimiter")
        options["field_delimiter"] = delimiter
    if "date_format" in raw:
        if raw["date_format"].lower() not in DATE_FORMATS:
            raise ValidationFailed.field("date_format", "Use DD/MM/YYYY or MM/DD/YYYY")
        options["day_first"] = DATE_FORMATS[raw["date_format"].lower()]
    if "timezone" in raw:
        validate_timezone(raw["timezone"])
        options["timezone"] = raw["timezone"]
    for flag in ("create_projects", "skip_duplicates"):
        if flag in raw:
            try:
                options[flag] = parse_flag(raw[flag])
            except ValueError:
                raise ValidationFailed.field(flag, "Use true or false") from None
    return ImportOptions(**options)


def _fallback_user(value, principal: Principal) -> int | str:
    """A user id (admins: anyone; others: themselves), or SKIP for null."""
    if value is None or str(value).strip().lower() in ("", "null", "none"):
        return SKIP
    try:
        user_id = int(str(value).strip())
    except ValueError:
        raise ValidationFailed.field("fallback_user", "A user id, or null to skip rows of unknown users") from None
    if user_id != principal.user_id and not principal.is_admin:
        raise ValidationFailed.field("fallback_user", "Only admins may import entries for other users")
    if users_data.get_user(user_id) is None:
        raise ValidationFailed.field("fallback_user", f"User {user_id} not found")
    return user_id


def start_upload_import(principal: Principal, upload_id: str, wanted: str = "autodetect",
                        filename: str | None = None, options: dict | None = None) -> ImportJob:
    key = uploads.uploaded_key(principal, upload_id)
    return _start(principal, imports_data.new_import_id(), key, check_type(wanted), filename,
                  parse_options(options, principal))


def undo_import(principal: Principal, import_id: int) -> ImportJob:
    """Start removing what the import created (in the background). Idempotent: undoing an
    undone (or undoing) import changes nothing; a running import cannot be undone yet."""
    job = import_results.visible_import(principal, import_id)
    if job.status in (ImportStatus.UNDOING, ImportStatus.UNDONE):
        return job
    if not job.finished:
        raise Conflict("The import is still running; undo it when it has finished", "import_in_progress")
    if imports_data.set_status(import_id, ImportStatus.UNDOING, when=IMPORT_FINAL):
        work_queue.send([UndoImport(import_id)])
    return imports_data.get_import(import_id)


PREVIEW_PROBLEMS = 20


def preview_import(principal: Principal, raw: bytes, wanted: str = "autodetect", options: dict | None = None) -> dict:
    """What an import of this file would do, writing nothing: the detected format, rows,
    date range, the projects it would match or create, and the first problems. The import's
    date_format and timezone options read the dates as the import will."""
    settings = parse_options(options, principal)
    try:
        parsed = dialects.read(decode_text(raw), check_type(wanted))
    except ValueError as exc:
        raise ValidationFailed.field("file", str(exc)) from None
    day_first = parsed.day_first if settings.day_first is None else settings.day_first
    rows, errors = dialects.convert(parsed.dialect, parsed.records, day_first)
    return {"type": parsed.dialect.name, "rows": len(parsed.records),
            **describe_rows(principal, rows, errors, settings.timezone)}


def describe_rows(principal: Principal, rows, errors, zone=None) -> dict:
    """What importing these rows would do: their date range, the projects matched or created,
    users not found, and the first problems (a preview's body, from a file or an API)."""
    zone = zone or user_zone(principal.user_id)
    starts = [to_utc(r.start, zone) for r in rows]
    ends = [to_utc(r.end, zone) for r in rows]
    names = sorted({r.project_name.strip() for r in rows if r.project_name.strip()}, key=str.casefold)
    found = catalog_names.existing_projects(names)  # two BatchGetItems, not two reads per name
    existing = {n: found.get(n) for n in names}
    people = People(users_data.get_user(principal.user_id))
    for row in rows:
        people.user_id(row)
    problems = [{"line": e.line, "message": e.message, "fields": e.fields} for e in errors]
    problems += [{"line": r.line, "message": f"Project '{existing[r.project_name.strip()].name}' is archived",
                  "fields": r.fields} for r in rows
                 if r.project_name.strip() and existing[r.project_name.strip()]
                 and existing[r.project_name.strip()].status == "archived"]
    return {
        "valid_rows": len(rows),
        "invalid_rows": len(errors),
        "date_range": {"start": iso_z(min(starts)), "end": iso_z(max(ends))} if rows else None,
        "projects_matched": [n for n in names if existing[n] is not None],
        "projects_to_create": [n for n in names if existing[n] is None],
        "users_not_found": sorted(people.not_found, key=str.casefold),
        "problems": sorted(problems, key=lambda p: p["line"])[:PREVIEW_PROBLEMS],
    }
