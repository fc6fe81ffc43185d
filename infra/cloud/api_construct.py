"""API Gateway REST API built from the route table (shared/routes.py): the same
table the local gateway routes by, so cloud and local cannot drift."""
from __future__ import annotations

import json

from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.cloud.nag import acknowledge
from shared import routes
from shared.api.errors import body as error_body

STAGE = "prod"


def _error_template(status: int, code: str, message: str) -> dict[str, str]:
    return {"application/json": json.dumps(error_body(status, message, code))}


class ApiConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, functions: dict[str, lambda_.Function]):
        super().__init__(scope, construct_id)
        access_logs = logs.LogGroup(self, "AccessLogs", retention=logs.RetentionDays.ONE_MONTH)
        self.api = apigw.RestApi(
            self, "Api",
            rest_api_name="timetracker",
            description="TimeTracker REST API v1",
            binary_media_types=list(routes.BINARY_MEDIA_TYPES),
            cloud_watch_role=True,
            deploy_options=apigw.StageOptions(
                stage_name=STAGE,
                tracing_enabled=True,
                logging_level=apigw.MethodLoggingLevel.ERROR,
                access_log_destination=apigw.LogGroupLogDestination(access_logs),
                access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                    caller=False, http_method=True, ip=True, protocol=True, request_time=True,
                    resource_path=True, response_length=True, status=True, user=False),
                throttling_burst_limit=200,
                throttling_rate_limit=100,
            ),
        )
        # One invoke permission per function for the whole API, not two per method (a stack holds at most
        # 500 resources, and per-method permissions alone were 224 of them): API Gateway may call each
        # function on any of its methods, and the route table decides which ones exist.
        integrations = {name: apigw.LambdaIntegration(fn, scope_permission_to_method=False, allow_test_invoke=False)
                        for name, fn in functions.items()}
        # ANY on each folded resource (routes.gateway_resources): the function routes, and answers 405
        # with Allow for a method its routes lack, 404 for a path none of them has.
        for resource_path, function in routes.gateway_resources().items():
            self.api.root.resource_for_path(resource_path).add_method("ANY", integrations[function])
        self._gateway_responses()
        acknowledge(self.api, {
            "AwsSolutions-APIG2": "Requests are validated in the functions (pydantic, through Powertools), which "
                                  "return the contract's field-level errors.",
            "AwsSolutions-APIG4": "Authentication is the API token (tt_...), verified by hash in each function with "
                                  "a 30 s cache; a separate authorizer would add a DynamoDB round trip per request.",
            "AwsSolutions-COG4": "Clients authenticate with API tokens, per the REST API v1 contract; there is no "
                                 "Cognito user pool.",
            "AwsSolutions-APIG3": "Per-token rate limits are enforced in DynamoDB and the stage is throttled; a WAF "
                                  "web ACL is an operator's choice per account.",
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AmazonAPIGatewayPushToCloudWatchLogs]": "API Gateway's account-level CloudWatch role uses the AWS "
                                                     "managed policy made for exactly that purpose.",
        })

    def _gateway_responses(self) -> None:
        """Errors API Gateway answers itself, in the contract's error format."""
        json_type = {"gatewayresponse.header.Content-Type": "'application/json'"}
        for rtype, status, code, message in (
            (apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN, 404, "not_found", "No such resource"),
            (apigw.ResponseType.REQUEST_TOO_LARGE, 413, "payload_too_large", "Requests are limited to 6 MB"),
            (apigw.ResponseType.THROTTLED, 429, "rate_limited", "Too many requests"),
            (apigw.ResponseType.UNSUPPORTED_MEDIA_TYPE, 415, "unsupported_media_type", "Unsupported media type"),
        ):
            self.api.add_gateway_response(f"gw-{status}-{code}", type=rtype, status_code=str(status),
                                          response_headers=json_type, templates=_error_template(status, code, message))
        # Anything else API Gateway answers itself keeps its status, in the same shape.
        passthrough = {"application/json": '{"error": $context.error.messageString, '
                                           '"message": $context.error.messageString, "error_code": "gateway_error"}'}
        for rtype, name in ((apigw.ResponseType.DEFAULT_4_XX, "gw-4xx"), (apigw.ResponseType.DEFAULT_5_XX, "gw-5xx")):
            self.api.add_gateway_response(name, type=rtype, response_headers=json_type, templates=passthrough)
