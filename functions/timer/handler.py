"""/api/v1/timer: start, stop and look at the caller's running timer."""
from aws_lambda_powertools.event_handler import Response

from shared.api.app import ApiFunction
from shared.api.schemas.time_entries import TimeEntryOut, TimerSaved, TimerStart, TimerStatus
from shared.logic import timer

api = ApiFunction("timer")


@api.route
def get_timer_status() -> TimerStatus:
    running = timer.get_timer_status(api.principal())
    return TimerStatus(active=running is not None, timer=TimeEntryOut.of(running) if running else None)


@api.route
def start_timer(request: TimerStart) -> Response[TimerSaved]:
    started = timer.start_timer(api.principal(), request.values())
    body = TimerSaved(message="Timer started", timer=TimeEntryOut.of(started))
    return Response(status_code=201, content_type="application/json", body=body)


@api.route
def stop_timer() -> TimerSaved:
    return TimerSaved(message="Timer stopped", timer=TimeEntryOut.of(timer.stop_timer(api.principal())))


lambda_handler = api.lambda_handler
