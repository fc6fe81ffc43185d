"""Logger and metrics: one instance each, importable from every layer.

No Powertools Tracer: importing aws-xray-sdk costs ~250 ms of cold start on every
function (measured with bench/cold_start.py). Lambda's active tracing (set in the
CDK app) still records each invocation as an X-Ray segment.
"""
import warnings

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.metrics.functions import is_metrics_disabled

# Most requests publish no custom metric; that is expected, not worth a warning each time.
warnings.filterwarnings("ignore", message="No application metrics to publish")

SERVICE = "timetracker"
NAMESPACE = "TimeTracker"  # CloudWatch: the custom metrics, and the dashboard and alarms over them

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)

# The custom metrics the workers emit: the CDK monitoring construct's alarms and dashboard read them
# with exactly these names and dimensions (service, plus the one named here).
DEAD_LETTERS_SETTLED = ("DeadLettersSettled", "kind")  # per message kind (shared/jobs/messages.py)
IMPORT_ROWS = ("ImportRows", "outcome")  # imported | failed | skipped, counted once per chunk
EXPORT_RECORDS = ("ExportRecords", "type")  # gdpr | filtered | backup, per completed export


def count(metric: tuple[str, str], value: float, dimension: str) -> None:
    """Publish one count now (an embedded-metric log line), with the same dimensions
    whatever POWERTOOLS_SERVICE_NAME says; nothing with POWERTOOLS_METRICS_DISABLED=true (the
    local stack: its console is for people)."""
    if is_metrics_disabled():
        return
    name, key = metric
    with single_metric(name=name, unit=MetricUnit.Count, value=value, namespace=NAMESPACE,
                       default_dimensions={"service": SERVICE}) as one:
        one.add_dimension(name=key, value=dimension)
