"""`make run` tells its console when something lands in a dead-letter queue, naming the job
(in the cloud, the monitoring construct's alarms do)."""
import json
import time

import boto3

from shared.jobs.messages import BuildExport, SplitImport


def test_a_dead_letter_is_announced_with_its_job(stack):
    env = json.loads(stack.state().read_text())["environment"]
    sqs = boto3.client("sqs", endpoint_url=env["AWS_ENDPOINT_URL"], region_name="us-east-1",
                       aws_access_key_id=env["AWS_ACCESS_KEY_ID"], aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"])
    for queue, message in (("tt-imports_dlq", SplitImport(987654)), ("tt-exports_dlq", BuildExport(876543))):
        url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody=message.encode())
    wanted = ["dead letter on the imports queue: import 987654 (split); import_dead_letters settles it",
              "dead letter on the exports queue: export 876543; export_dead_letters settles it"]
    urls = [sqs.get_queue_url(QueueName=q)["QueueUrl"] for q in ("tt-imports_dlq", "tt-exports_dlq")]

    def waiting() -> int:  # settled (there was no such job) and deleted: none left, none in flight
        return sum(int(value) for url in urls for value in sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"].values())

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (all(w in stack.log.read_text() for w in wanted) and not waiting()):
        time.sleep(0.2)
    log = stack.log.read_text()
    assert all(w in log for w in wanted), log[-2000:]
    assert waiting() == 0
