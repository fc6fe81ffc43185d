"""Export file formats: records as dicts, JSON documents and ZIPs written as streams,
Excel-safe CSV, and the backup format. Pure: they write to any binary stream."""

# An export file's media type by its format (the object's Content-Type and the download's). Here, not in
# documents.py, so the API side names it without loading the writers.
CONTENT_TYPES = {"json": "application/json", "zip": "application/zip", "csv": "text/csv; charset=utf-8"}
