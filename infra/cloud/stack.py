"""The TimeTracker stack: a thin composition of one construct per concern."""
from __future__ import annotations

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.cloud.api_construct import ApiConstruct
from infra.cloud.data_construct import DataConstruct
from infra.cloud.functions_construct import FunctionsConstruct
from infra.cloud.monitoring_construct import MonitoringConstruct
from infra.cloud.queues_construct import QueuesConstruct
from infra.cloud.storage_construct import StorageConstruct
from infra.cloud.web_construct import WebConstruct


class TimeTrackerStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, layer_code: lambda_.Code, functions_dir: str,
                 **kwargs):
        super().__init__(scope, construct_id, **kwargs)
        warm = self.node.try_get_context("warm_write_units")  # WARM_WRITE_UNITS=... make synth
        warm = int(warm) if warm else None
        data = DataConstruct(self, "Data", warm_write_units=warm)
        storage = StorageConstruct(self, "Storage")
        queues = QueuesConstruct(self, "Queues")
        functions = FunctionsConstruct(self, "Functions", data=data, storage=storage, queues=queues,
                                       layer_code=layer_code, functions_dir=functions_dir, warm_write_units=warm)
        api = ApiConstruct(self, "Api", functions=functions.functions)
        site = WebConstruct(self, "Web", api=api.api, access_logs=storage.access_logs, uploads=storage.bucket)
        monitoring = MonitoringConstruct(self, "Monitoring", queues=queues.by_name, workers=functions.workers,
                                         api=api.api, alarm_email=self.node.try_get_context("alarm_email"))
        self.data, self.storage, self.queues, self.functions, self.api = data, storage, queues, functions, api
        self.monitoring, self.web = monitoring, site
        CfnOutput(self, "ApiUrl", value=api.api.url)
        CfnOutput(self, "WebUrl", value=f"https://{site.distribution.distribution_domain_name}/")
        CfnOutput(self, "DataBucket", value=storage.bucket.bucket_name)
        CfnOutput(self, "AlarmsTopic", value=monitoring.topic.topic_arn)
        # What `python -m infra.bootstrap_admin` needs to write the first admin into the deployed tables.
        CfnOutput(self, "TableNames", value=self.to_json_string(
            {logical: table.table_name for logical, table in data.tables.items()}))
