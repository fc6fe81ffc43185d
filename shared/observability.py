"""Logger and metrics: one instance each, importable from every layer.

No Powertools Tracer: importing aws-xray-sdk costs ~250 ms of cold start on every
function (measured with bench/cold_start.py). Lambda's active tracing (set in the
CDK app) still records each invocation as an X-Ray segment.
"""
import warnings

from aws_lambda_powertools import Logger, Metrics

# Most requests publish no custom metric; that is expected, not worth a warning each time.
warnings.filterwarnings("ignore", message="No application metrics to publish")

SERVICE = "timetracker"
NAMESPACE = "TimeTracker"  # CloudWatch: the custom metrics, and the dashboard and alarms over them

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)
