"""How a started export is answered, wherever it was started (exports, Harvest backup
downloads): 200 with the finished export when the worker was quick enough, else 202."""
from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from shared.api.schemas.exports import ExportOut, ExportStarted
from shared.jobs.status import ExportStatus
from shared.logic import exports


def export_out(job) -> ExportOut:
    return ExportOut.of(job, exports.is_expired(job))


def started(job) -> Response[ExportStarted]:
    job = exports.finished_soon(job)
    ready = job.status == ExportStatus.COMPLETED
    body = ExportStarted(message="The export is ready" if ready else "The export is being prepared",
                         export_id=job.id, status=job.status, filename=job.filename,
                         status_url=f"/api/export/status/{job.id}", download_url=f"/api/export/download/{job.id}",
                         export=export_out(job))
    return Response(status_code=200 if ready else 202, content_type="application/json", body=body)
