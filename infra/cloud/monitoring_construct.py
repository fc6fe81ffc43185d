"""Operations: alarms that tell an operator when work is stuck or failing, and one
dashboard of the API, the queues, the workers and the jobs' throughput.

Alarms (each notifies the Alarms topic; ``ALARM_EMAIL=ops@example.com make synth``
subscribes an address):
- every dead-letter queue: a message waiting in it (its settler is failing too), and
  any message settled there (the DeadLettersSettled metric the dead-letter workers emit);
- every worker: errors and throttles;
- every work queue: its oldest message older than OLDEST_MESSAGE;
- the API: any 5xx.
The custom metrics' names and dimensions come from shared/observability.py, the job
kinds from shared/jobs/messages.py, so what is emitted and what is watched agree.
"""
from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from shared.jobs.messages import message_types
from shared.observability import DEAD_LETTERS_SETTLED, EXPORT_RECORDS, IMPORT_ROWS, NAMESPACE, SERVICE
from shared.settings import QUEUE_ENV

OLDEST_MESSAGE = Duration.minutes(30)  # a work queue's oldest message: the workers are not keeping up
PERIOD = Duration.minutes(5)
EXPORT_TYPES = ("gdpr", "filtered", "backup", "harvest_backup")
IMPORT_OUTCOMES = ("imported", "failed", "skipped")


def custom(metric: tuple[str, str], value: str, label: str | None = None) -> cw.Metric:
    """One of the workers' custom metrics (shared/observability.py count)."""
    name, key = metric
    return cw.Metric(namespace=NAMESPACE, metric_name=name, dimensions_map={"service": SERVICE, key: value},
                     statistic="Sum", period=PERIOD, label=label or value)


class MonitoringConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, queues: dict[str, sqs.Queue],
                 workers: dict[str, lambda_.Function], api: apigw.RestApi, alarm_email: str | None = None):
        super().__init__(scope, construct_id)
        # CloudWatch can publish only to a topic whose key lets it (not the AWS-managed SNS key).
        key = kms.Key(self, "AlarmsKey", enable_key_rotation=True, description="TimeTracker alarm notifications")
        key.grant(iam.ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*")
        self.topic = sns.Topic(self, "Alarms", display_name="TimeTracker alarms", master_key=key, enforce_ssl=True)
        if alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(alarm_email))
        self.alarms: dict[str, cw.Alarm] = {}

        for logical in QUEUE_ENV:
            work, dlq = queues[logical], queues[f"{logical}_dlq"]
            self._alarm(f"{logical}-dead-letter-waiting", dlq.metric_approximate_number_of_messages_visible(
                period=Duration.minutes(1), statistic="Maximum"), 1,
                f"A {logical} message is waiting in the dead-letter queue: its settler is failing too")
            self._alarm(f"{logical}-dead-letters-settled", self._settled(logical), 1,
                        f"The {logical} queue gave up on a message: a job ended failed or partial")
            self._alarm(f"{logical}-oldest-message", work.metric_approximate_age_of_oldest_message(
                period=Duration.minutes(1), statistic="Maximum"), OLDEST_MESSAGE.to_seconds(),
                f"The {logical} queue's oldest message waits over {OLDEST_MESSAGE.to_minutes()} minutes")
        for name, fn in workers.items():
            self._alarm(f"{name}-errors", fn.metric_errors(period=PERIOD, statistic="Sum"), 1,
                        f"The {name} function failed whole invocations")
            self._alarm(f"{name}-throttles", fn.metric_throttles(period=PERIOD, statistic="Sum"), 1,
                        f"The {name} function was throttled")
        self._alarm("api-5xx", api.metric_server_error(period=PERIOD, statistic="Sum"), 1,
                    "The API answered with a 5xx")
        self.dashboard = self._dashboard(queues, workers, api)

    def _settled(self, queue: str) -> cw.IMetric:
        kinds = {f"m{i}": custom(DEAD_LETTERS_SETTLED, t.KIND)
                 for i, t in enumerate(message_types()) if t.QUEUE == queue}
        return cw.MathExpression(expression=" + ".join(f"FILL({m}, 0)" for m in kinds), using_metrics=kinds,
                                 period=PERIOD, label=f"{queue} dead letters settled")

    def _alarm(self, name: str, metric: cw.IMetric, threshold: float, description: str) -> None:
        alarm = cw.Alarm(self, name, metric=metric, threshold=threshold, evaluation_periods=1,
                         comparison_operator=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                         treat_missing_data=cw.TreatMissingData.NOT_BREACHING, alarm_description=description)
        alarm.add_alarm_action(cw_actions.SnsAction(self.topic))
        self.alarms[name] = alarm

    def _dashboard(self, queues, workers, api) -> cw.Dashboard:
        board = cw.Dashboard(self, "Dashboard", dashboard_name="TimeTracker")
        board.add_widgets(
            cw.GraphWidget(title="API requests and errors", width=12, left=[
                api.metric_count(period=PERIOD), api.metric_client_error(period=PERIOD),
                api.metric_server_error(period=PERIOD)]),
            cw.GraphWidget(title="API latency (p50, p99)", width=12, left=[
                api.metric_latency(period=PERIOD, statistic=s) for s in ("p50", "p99")]),
        )
        board.add_widgets(
            cw.GraphWidget(title="Import throughput (rows)", width=8, stacked=True,
                           left=[custom(IMPORT_ROWS, o) for o in IMPORT_OUTCOMES]),
            cw.GraphWidget(title="Export throughput (records)", width=8, stacked=True,
                           left=[custom(EXPORT_RECORDS, t) for t in EXPORT_TYPES]),
            cw.GraphWidget(title="Dead letters settled", width=8, stacked=True,
                           left=[custom(DEAD_LETTERS_SETTLED, t.KIND) for t in message_types()]),
        )
        board.add_widgets(
            cw.GraphWidget(title="Work queues: messages waiting", width=8, left=[
                queues[q].metric_approximate_number_of_messages_visible(period=PERIOD, label=q) for q in QUEUE_ENV]),
            cw.GraphWidget(title="Work queues: oldest message (s)", width=8, left=[
                queues[q].metric_approximate_age_of_oldest_message(period=PERIOD, label=q) for q in QUEUE_ENV]),
            cw.GraphWidget(title="Dead-letter queues: messages waiting", width=8, left=[
                queues[f"{q}_dlq"].metric_approximate_number_of_messages_visible(period=PERIOD, label=f"{q} DLQ")
                for q in QUEUE_ENV]),
        )
        board.add_widgets(
            cw.GraphWidget(title="Workers: errors and throttles", width=12, left=[
                m for name, fn in workers.items() for m in (
                    fn.metric_errors(period=PERIOD, label=f"{name} errors"),
                    fn.metric_throttles(period=PERIOD, label=f"{name} throttles"))]),
            cw.GraphWidget(title="Workers: duration (p99, ms)", width=12, left=[
                fn.metric_duration(period=PERIOD, statistic="p99", label=name) for name, fn in workers.items()]),
            cw.AlarmStatusWidget(title="Alarms", width=24, alarms=list(self.alarms.values())),
        )
        return board
