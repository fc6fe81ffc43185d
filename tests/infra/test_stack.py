"""CloudFormation assertions on the synthesised stack."""
import json
import re

from aws_cdk.assertions import Match

from shared import routes
from shared.data.schema import all_table_specs


def _resources(template, kind):
    return template.find_resources(kind)


def _our_functions(template):
    """The project's functions: not CDK's own BucketDeployment handler (it runs at deploy time only)."""
    return {k: v for k, v in _resources(template, "AWS::Lambda::Function").items()
            if not k.startswith("CustomCDKBucketDeployment")}


def _api_paths(template) -> dict[str, str]:
    """API Gateway resource logical id -> full path."""
    resources = _resources(template, "AWS::ApiGateway::Resource")
    paths: dict[str, str] = {}

    def path_of(rid):
        if rid not in paths:
            props = resources[rid]["Properties"]
            parent = props["ParentId"]
            prefix = path_of(parent["Ref"]) if "Ref" in parent else ""
            paths[rid] = f"{prefix}/{props['PathPart']}"
        return paths[rid]

    for rid in resources:
        path_of(rid)
    return paths


def _concrete(path: str) -> str:
    return re.sub(r"\{\w+\}", "7", path)


def test_every_route_reaches_its_function(synthesized):
    """The API holds the folded resources (routes.gateway_resources), each with ANY to one function;
    every route's concrete path lands on a resource whose function is the route's."""
    stack, template, _ = synthesized
    paths = _api_paths(template)
    functions = _our_functions(template)
    targets: dict[str, str] = {}
    for method in _resources(template, "AWS::ApiGateway::Method").values():
        props = method["Properties"]
        if props["HttpMethod"] == "OPTIONS":
            continue
        assert props["HttpMethod"] == "ANY" and props["Integration"]["Type"] == "AWS_PROXY"
        resource_id = props["ResourceId"]
        path = paths[resource_id["Ref"]] if "Ref" in resource_id else "/"  # the root: GetAtt RootResourceId
        targets[path] = next(fid for fid in functions if fid in str(props["Integration"]["Uri"]))
    assert set(targets) == set(routes.gateway_resources())
    for route in routes.ROUTES:
        resource, function, _ = routes.gateway_match(_concrete(route.path))
        assert function == route.function, route
        assert targets[resource].startswith(f"Functions{route.function.replace('_', '')}"), (route, targets[resource])


def test_the_stack_stays_well_inside_cloudformations_500_resources(synthesized):
    _, template, _ = synthesized
    count = len(template.to_json()["Resources"])
    permissions = _resources(template, "AWS::Lambda::Permission")
    # 424 with the page and one API resource and method per route; 300 or so with the routes folded
    # into a few dozen resources (routes.gateway_resources), which leaves room for new modules.
    assert count <= 350, count
    # API functions and scheduled ones are invoked through a permission; queue and stream consumers through mappings.
    consumers = set(routes.workers()) | {s.function for s in routes.STREAM_SOURCES}
    assert len(permissions) == len(_our_functions(template)) - len(consumers)


def test_functions_are_python_312_arm64_with_the_shared_layer_and_tracing(synthesized):
    _, template, _ = synthesized
    functions = _our_functions(template)
    streams = {s.function for s in routes.STREAM_SOURCES}
    assert len(functions) == len(routes.functions()) + len(routes.workers()) + len(routes.SCHEDULES) + len(streams)
    for fn in functions.values():
        props = fn["Properties"]
        assert props["Runtime"] == "python3.12" and props["Architectures"] == ["arm64"]
        assert len(props["Layers"]) == 1 and props["TracingConfig"] == {"Mode": "Active"}
    template.has_resource_properties("AWS::Lambda::LayerVersion", {"CompatibleRuntimes": ["python3.12"]})


def test_tables_have_pitr_encryption_streams_and_ttl(synthesized):
    _, template, _ = synthesized
    tables = _resources(template, "AWS::DynamoDB::Table")
    specs = all_table_specs()
    assert len(tables) == len(specs)
    for table in tables.values():
        props = table["Properties"]
        assert props["BillingMode"] == "PAY_PER_REQUEST"
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert props["SSESpecification"]["SSEEnabled"] is True
    for spec in specs:
        keys = [{"AttributeName": spec.partition[0], "KeyType": "HASH"}]
        if spec.sort:
            keys.append({"AttributeName": spec.sort[0], "KeyType": "RANGE"})
        expected = {"KeySchema": keys}
        if spec.ttl_attribute:
            expected["TimeToLiveSpecification"] = {"AttributeName": spec.ttl_attribute, "Enabled": True}
        if spec.stream_view_type:
            expected["StreamSpecification"] = {"StreamViewType": spec.stream_view_type}
        if spec.indexes:
            expected["GlobalSecondaryIndexes"] = Match.array_with(
                [Match.object_like({"IndexName": name}) for name, _, _ in spec.indexes])
        template.has_resource_properties("AWS::DynamoDB::Table", expected)


def test_bucket_is_private_encrypted_tls_only_and_expires_exports_after_7_days(synthesized):
    _, template, _ = synthesized
    template.has_resource_properties("AWS::S3::Bucket", {
        "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                           "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
        "BucketEncryption": Match.object_like({"ServerSideEncryptionConfiguration": Match.any_value()}),
        "LifecycleConfiguration": {"Rules": Match.array_with([
            Match.object_like({"Prefix": "exports/", "ExpirationInDays": 7, "Status": "Enabled"}),
            Match.object_like({"AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}),
        ])},
    })
    template.has_resource_properties("AWS::S3::BucketPolicy", {"PolicyDocument": {"Statement": Match.array_with([
        Match.object_like({"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})])}})


def test_work_queues_redrive_to_their_dlqs(synthesized):
    _, template, _ = synthesized
    redriven = [q for q in _resources(template, "AWS::SQS::Queue").values()
                if q["Properties"].get("RedrivePolicy", {}).get("maxReceiveCount") == 3]
    from shared.settings import QUEUE_ENV

    assert len(redriven) == len(QUEUE_ENV)  # imports, exports, webhooks
    assert all(q["Properties"]["SqsManagedSseEnabled"] for q in redriven)


def test_the_export_worker_spools_backups_to_ephemeral_storage(synthesized):
    _, template, _ = synthesized
    workers = [f for name, f in _resources(template, "AWS::Lambda::Function").items() if "exportworker" in name]
    assert workers[0]["Properties"]["EphemeralStorage"] == {"Size": 4096}


def test_workers_are_fed_by_their_queues_with_partial_batch_failures(synthesized):
    _, template, _ = synthesized
    mappings = {k: m for k, m in _resources(template, "AWS::Lambda::EventSourceMapping").items()
                if "StartingPosition" not in m["Properties"]}  # the queues' (streams have a starting position)
    assert len(mappings) == len(routes.EVENT_SOURCES)
    for mapping in mappings.values():
        props = mapping["Properties"]
        assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert any(f"Functions{w.replace('_', '')}" in str(props["FunctionName"]) for w in routes.workers())


def test_roles_reach_only_their_tables_and_only_the_backup_worker_scans(synthesized):
    _, template, _ = synthesized
    scanners = set()
    for policy in _resources(template, "AWS::IAM::Policy").values():
        role = str(policy["Properties"]["Roles"])
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert "dynamodb:*" not in actions
            if "dynamodb:Scan" in actions:
                scanners.add(role)
                assert "exportworker" in role, f"{role} may Scan: only backups and restores (no request path) may"
            if any(a.startswith("dynamodb:") for a in actions) and actions != ["dynamodb:ListStreams"]:
                assert statement["Resource"] != "*"  # (ListStreams names no table: stream consumers need it)
    assert scanners  # backups do read whole tables


def test_cdk_nag_passes_and_every_acknowledgement_has_a_reason(synthesized):
    _, _, report = synthesized
    packs = {p["pluginName"]: p for p in report["pluginReports"]}
    assert packs["AwsSolutions"]["conclusion"] == "success"
    assert packs["AwsSolutions"]["violations"] == []
    for suppressed in packs["AwsSolutions"]["suppressedViolations"]:
        assert len(suppressed["reason"]) > 20, suppressed["ruleName"]


def test_gateway_errors_use_the_contract_format(synthesized):
    _, template, _ = synthesized
    template.has_resource_properties("AWS::ApiGateway::GatewayResponse", {
        "ResponseType": "MISSING_AUTHENTICATION_TOKEN", "StatusCode": "404",
        "ResponseTemplates": {"application/json": Match.string_like_regexp('"error_code": "not_found"')},
    })


def test_the_stack_tells_the_admin_bootstrap_its_table_names(synthesized):
    from infra.bootstrap_admin import environment_from_outputs
    from shared.settings import TABLE_ENV

    _, template, _ = synthesized
    outputs = template.find_outputs("TableNames")
    assert str(outputs["TableNames"]["Value"]).count("'Ref'") == len(TABLE_ENV)  # every table, by reference
    # What CloudFormation will resolve the output to, shaped as describe_stacks returns it.
    resolved = json.dumps({logical: f"TimeTracker-{logical}-ABC" for logical in TABLE_ENV})
    env = environment_from_outputs([{"OutputKey": "TableNames", "OutputValue": resolved},
                                    {"OutputKey": "DataBucket", "OutputValue": "timetracker-data-xyz"}])
    assert env["TABLE_USERS"] == "TimeTracker-users-ABC" and env["DATA_BUCKET"] == "timetracker-data-xyz"
    assert set(env) == set(TABLE_ENV.values()) | {"DATA_BUCKET"}


# cfn-lint findings we accept, each with its reason. Errors are never accepted.
CFN_LINT_IGNORED = {
    "W3005": "CDK writes an explicit DependsOn from each function to its role's policy besides the GetAtt of the "
             "role; the second edge is redundant, not wrong, and comes from CDK itself",
}


def test_cfn_lint_finds_no_error_and_no_unexplained_warning(synthesized, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    stack, _, _ = synthesized
    template = tmp_path / "template.json"
    template.write_text(json.dumps(stack.node.root.synth().get_stack_artifact(stack.artifact_id).template))
    ignored = ",".join(CFN_LINT_IGNORED) or "none"
    cfn_lint = str(Path(sys.executable).with_name("cfn-lint"))  # the console script beside this Python
    run = subprocess.run([cfn_lint, "--format", "parseable", "--ignore-checks", ignored,
                          "--", str(template)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr


def _alarms_on(template, metric_name: str) -> list[dict]:
    return [a["Properties"] for a in _resources(template, "AWS::CloudWatch::Alarm").values()
            if a["Properties"].get("MetricName") == metric_name
            or metric_name in json.dumps(a["Properties"].get("Metrics", []))]


def test_an_operator_hears_of_every_dead_letter_stuck_queue_failing_worker_and_5xx(synthesized):
    from shared.settings import QUEUE_ENV

    stack, template, _ = synthesized
    alarms = stack.monitoring.alarms
    topic = stack.get_logical_id(stack.monitoring.topic.node.default_child)
    for props in (a["Properties"] for a in _resources(template, "AWS::CloudWatch::Alarm").values()):
        assert props["AlarmActions"] == [{"Ref": topic}] and props["TreatMissingData"] == "notBreaching"
    for queue in QUEUE_ENV:
        assert {f"{queue}-{alarm}" for alarm in ("dead-letter-waiting", "dead-letters-settled", "oldest-message")} \
            <= set(alarms)
    workers = {s.function for s in routes.EVENT_SOURCES}
    assert {f"{w}-{kind}" for w in workers for kind in ("errors", "throttles")} <= set(alarms)
    assert len(_alarms_on(template, "ApproximateNumberOfMessagesVisible")) == len(QUEUE_ENV)
    assert len(_alarms_on(template, "ApproximateAgeOfOldestMessage")) == len(QUEUE_ENV)
    assert len(_alarms_on(template, "Errors")) == len(_alarms_on(template, "Throttles")) == len(workers)
    assert len(_alarms_on(template, "5XXError")) == 1
    # Every kind of message is watched by its queue's settled-dead-letter alarm, under the emitted dimensions.
    settled = json.dumps(_alarms_on(template, "DeadLettersSettled"))
    from shared.jobs.messages import message_types

    for message_type in message_types():
        assert f'"Value": "{message_type.KIND}"' in settled
    assert '"Name": "service"' in settled and '"Namespace": "TimeTracker"' in settled


def test_the_alarm_topic_is_encrypted_with_a_key_cloudwatch_may_use(synthesized):
    _, template, _ = synthesized
    topic = next(iter(_resources(template, "AWS::SNS::Topic").values()))["Properties"]
    assert "KmsMasterKeyId" in topic
    keys = _resources(template, "AWS::KMS::Key")
    key = keys[topic["KmsMasterKeyId"]["Fn::GetAtt"][0]]
    assert "cloudwatch.amazonaws.com" in json.dumps(key["Properties"]["KeyPolicy"])
    assert len(_resources(template, "AWS::CloudWatch::Dashboard")) == 1


def test_lifecycle_rules_are_the_bucket_layouts(synthesized):
    from shared.data import bucket_layout

    stack, template, _ = synthesized
    data = stack.get_logical_id(stack.storage.bucket.node.default_child)
    rules = template.to_json()["Resources"][data]["Properties"]["LifecycleConfiguration"]["Rules"]
    expiring = {r["Prefix"]: r["ExpirationInDays"] for r in rules if "Prefix" in r}
    assert expiring == {prefix: bucket_layout.EXPIRY_DAYS for prefix in bucket_layout.EXPIRING}


def test_credentials_are_sealed_by_the_apis_and_opened_only_by_the_workers(synthesized):
    """The KMS key of third-party credentials: exactly the grants access.SEALS lists (the API
    functions that store tokens encrypt; the workers that use them decrypt); no one else."""
    from infra.cloud.access import SEALS

    _, template, _ = synthesized
    keys = {k: v for k, v in _resources(template, "AWS::KMS::Key").items() if "Credentials" in k}
    assert len(keys) == 1 and next(iter(keys.values()))["Properties"]["EnableKeyRotation"] is True
    key_id = next(iter(keys))
    granted: dict[str, set] = {}
    policies = [*_resources(template, "AWS::IAM::Policy").values(),
                *_resources(template, "AWS::IAM::ManagedPolicy").values()]  # CDK moves big roles' overflow there
    for policy in policies:
        role = policy["Properties"]["Roles"][0]["Ref"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if key_id in json.dumps(statement.get("Resource")):
                granted.setdefault(role, set()).update(actions)
    expected = {name.replace("_", ""): set(actions) for name, actions in SEALS.items()}
    assert {next(n for n in expected if r.startswith(f"Functions{n}role")): a for r, a in granted.items()} == \
        expected, granted
    for function in _our_functions(template).values():
        variables = function["Properties"].get("Environment", {}).get("Variables", {})
        assert key_id in json.dumps(variables.get("CREDENTIALS_KEY_ID"))


def test_scheduled_functions_run_on_eventbridge_rules(synthesized):
    _, template, _ = synthesized
    rules = _resources(template, "AWS::Events::Rule")
    for schedule in routes.SCHEDULES:
        rule = next(r for k, r in rules.items() if schedule.function.replace("_", "") in k)
        assert rule["Properties"]["ScheduleExpression"] == schedule.expression
        assert schedule.function.replace("_", "") in json.dumps(rule["Properties"]["Targets"])


def test_webhook_events_come_from_the_tables_streams_in_batches(synthesized):
    """Every routes.STREAM_SOURCES table feeds its consumer from its stream (LATEST, batched,
    bisected on error), and the consumer may read those streams and nothing it was not granted."""
    _, template, _ = synthesized
    mappings = [m["Properties"] for m in _resources(template, "AWS::Lambda::EventSourceMapping").values()
                if "StreamArn" in json.dumps(m["Properties"].get("EventSourceArn"))]
    assert len(mappings) == len(routes.STREAM_SOURCES)
    tables = _resources(template, "AWS::DynamoDB::Table")
    for stream in routes.STREAM_SOURCES:
        table_id = next(k for k in tables if k.startswith("Data" + stream.table.replace("_", "")))
        (mapping,) = [m for m in mappings if table_id in json.dumps(m["EventSourceArn"])]
        assert stream.function.replace("_", "") in json.dumps(mapping["FunctionName"])
        assert mapping["StartingPosition"] == "LATEST" and mapping["BatchSize"] == stream.batch_size
        assert mapping["BisectBatchOnFunctionError"] is True and mapping["MaximumRetryAttempts"] == 10
        assert tables[table_id]["Properties"]["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}


def test_the_page_is_a_private_bucket_behind_cloudfront_with_the_api_at_the_same_origin(synthesized):
    from infra.cloud.web_construct import rewrite_code
    from shared import web

    _, template, _ = synthesized
    distribution = next(iter(_resources(template, "AWS::CloudFront::Distribution").values()))["Properties"]
    config = distribution["DistributionConfig"]
    origins = {o["Id"]: o for o in config["Origins"]}
    default = config["DefaultCacheBehavior"]
    site = origins[default["TargetOriginId"]]
    assert "OriginAccessControlId" in site and site["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    assert default["ViewerProtocolPolicy"] == "redirect-to-https"
    [api] = config["CacheBehaviors"]
    assert api["PathPattern"] == web.API_PREFIX + "*"
    assert set(api["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
    assert "Fn::Split" in json.dumps(origins[api["TargetOriginId"]]["OriginPath"])  # the stage, from the API's URL
    assert "CustomOriginConfig" in origins[api["TargetOriginId"]]
    # CloudFront forwards Authorization only in the cache key: there, and nothing kept (default TTL 0)
    [policy] = [p["Properties"]["CachePolicyConfig"] for p in _resources(template, "AWS::CloudFront::CachePolicy")
                .values()]
    assert policy["DefaultTTL"] == 0 and policy["MaxTTL"] <= 1
    assert set(policy["ParametersInCacheKeyAndForwardedToOrigin"]["HeadersConfig"]["Headers"]) == {
        "Authorization", "X-API-Key"}
    assert api["CachePolicyId"] == {"Ref": next(iter(_resources(template, "AWS::CloudFront::CachePolicy")))}
    # The page's paths, from the same table the local gateway serves them by.
    function = next(iter(_resources(template, "AWS::CloudFront::Function").values()))["Properties"]
    assert function["FunctionCode"] == rewrite_code() and json.dumps(list(web.PAGES)) in rewrite_code()
    headers = next(iter(_resources(template, "AWS::CloudFront::ResponseHeadersPolicy").values()))["Properties"]
    csp = headers["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]["ContentSecurityPolicy"]
    policy = json.dumps(csp["ContentSecurityPolicy"])  # the data bucket's names are tokens here
    assert "script-src 'self';" in policy and "connect-src 'self' https://" in policy
    assert "DomainName" in policy and "RegionalDomainName" in policy
    buckets = _resources(template, "AWS::S3::Bucket")
    [site_bucket] = [b for k, b in buckets.items() if k.startswith("WebSite")]
    assert site_bucket["Properties"]["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True}
    template.resource_count_is("Custom::CDKBucketDeployment", 1)


def _chunk_worker_mapping(template):
    mappings = _resources(template, "AWS::Lambda::EventSourceMapping")
    return next(m["Properties"] for k, m in mappings.items() if "importworker" in k.lower())


def test_the_chunk_workers_concurrency_follows_the_default_warm_throughput(synthesized):
    from infra.cloud.capacity import chunk_worker_concurrency

    _, template, _ = synthesized
    assert _chunk_worker_mapping(template)["ScalingConfig"] == {"MaximumConcurrency": chunk_worker_concurrency(None)}
    for table in _resources(template, "AWS::DynamoDB::Table").values():
        assert "WarmThroughput" not in table["Properties"]  # off unless asked for


def test_pre_warmed_tables_and_a_wider_chunk_worker_fan_out_on_request(tmp_path_factory):
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    from infra.app import build
    from infra.cloud.capacity import IMPORT_WRITTEN, chunk_worker_concurrency

    layer = tmp_path_factory.mktemp("layer-warm")
    (layer / "python" / "shared").mkdir(parents=True)
    app = cdk.App(outdir=str(tmp_path_factory.mktemp("cdk-warm")), context={"warm_write_units": 40000})
    template = Template.from_stack(build(app, layer))
    assert _chunk_worker_mapping(template)["ScalingConfig"] == {"MaximumConcurrency": chunk_worker_concurrency(40000)}
    assert chunk_worker_concurrency(40000) == 32
    warm = {"ReadUnitsPerSecond": 120000, "WriteUnitsPerSecond": 40000}
    warmed = [t["Properties"] for t in _resources(template, "AWS::DynamoDB::Table").values()
              if "WarmThroughput" in t["Properties"]]
    assert len(warmed) == len(IMPORT_WRITTEN)  # the tables an import writes, no others
    entries = None
    for props in warmed:
        assert props["WarmThroughput"] == warm
        for index in props.get("GlobalSecondaryIndexes", []):
            assert index["WarmThroughput"] == warm
        if any(i["IndexName"] == "by-user" for i in props.get("GlobalSecondaryIndexes", [])) and \
                any(i["IndexName"] == "by-import" for i in props["GlobalSecondaryIndexes"]):
            entries = props
    assert entries is not None  # the entries table, with its GSIs, pre-warmed
