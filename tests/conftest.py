"""Test environment: fake credentials, no real endpoint, before anything imports boto."""
import os

for var in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
    os.environ.pop(var, None)
os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_DEFAULT_REGION="us-east-1",
    AWS_REGION="us-east-1",
    POWERTOOLS_METRICS_NAMESPACE="TimeTracker",
    POWERTOOLS_LOG_LEVEL="WARNING",
    DATA_BUCKET="tt-data",
    IMPORT_QUEUE_URL="https://sqs.us-east-1.amazonaws.com/123456789012/tt-imports",
    EXPORT_QUEUE_URL="https://sqs.us-east-1.amazonaws.com/123456789012/tt-exports",
    EXPORT_WAIT_SECONDS="0",  # no worker runs beside a handler test: answer 202 at once (tested apart)
    JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20",
    JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION="20",
)
