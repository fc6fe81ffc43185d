"""Test environment: fake credentials, no real endpoint, before anything imports boto."""
import os

for var in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
    os.environ.pop(var, None)
os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_DEFAULT_REGION="us-east-1",
    AWS_REGION="us-east-1",
    # botocore sends DynamoDB Streams calls to <account>.streams-ddb.<region> by the ARN's account;
    # moto's in-process mock knows only the regional name.
    AWS_ACCOUNT_ID_ENDPOINT_MODE="disabled",
    POWERTOOLS_METRICS_NAMESPACE="TimeTracker",
    POWERTOOLS_LOG_LEVEL="WARNING",
    DATA_BUCKET="tt-data",
    IMPORT_QUEUE_URL="https://sqs.us-east-1.amazonaws.com/123456789012/tt-imports",
    EXPORT_QUEUE_URL="https://sqs.us-east-1.amazonaws.com/123456789012/tt-exports",
    WEBHOOK_QUEUE_URL="https://sqs.us-east-1.amazonaws.com/123456789012/tt-webhooks",
    # Handler tests deliver to receivers on loopback, and retry at once (the schedule is tested apart).
    WEBHOOKS_ALLOW_LOOPBACK="true",
    WEBHOOK_RETRY_DELAYS="0,0,0,0,0,0,0",
    WEBHOOK_TIMEOUT_SECONDS="1",
    EXPORT_WAIT_SECONDS="0",  # no worker runs beside a handler test: answer 202 at once (tested apart)
    JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20",
    JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION="20",
)
