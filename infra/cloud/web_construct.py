"""The web page in the cloud: web/ in a private bucket behind CloudFront (origin access control),
and the API under the same distribution at /api/*, so the page calls its own origin (no CORS).
Paths and headers come from shared/web.py, the table the local gateway serves the page by."""
from __future__ import annotations

import json

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from infra.cloud.nag import acknowledge
from shared import web

# CloudFront Functions (cloudfront-js-2.0): a page's path answers the one document; /app/<file> is
# the file at the bucket's root. Anything else reaches the bucket as asked, which refuses it (403).
REWRITE = """var PAGES = %s, DOCUMENT = %s, ASSETS = %s;
function handler(event) {
  var request = event.request;
  if (PAGES.indexOf(request.uri) >= 0) { request.uri = '/' + DOCUMENT; }
  else if (request.uri.indexOf(ASSETS) === 0) { request.uri = request.uri.substring(ASSETS.length - 1); }
  return request;
}"""


def rewrite_code() -> str:
    return REWRITE % (json.dumps(list(web.PAGES)), json.dumps(web.DOCUMENT), json.dumps(web.ASSET_PREFIX))


def page_csp(uploads: s3.IBucket) -> str:
    """The page's CSP: its own origin, and the data bucket its presigned upload URLs point at (boto3 signs
    them for the global or the regional name)."""
    return web.page_headers((f"https://{uploads.bucket_domain_name}",
                             f"https://{uploads.bucket_regional_domain_name}"))["Content-Security-Policy"]


class WebConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, api: apigw.RestApi, access_logs: s3.IBucket,
                 uploads: s3.IBucket):
        super().__init__(scope, construct_id)
        self.bucket = s3.Bucket(
            self, "Site", block_public_access=s3.BlockPublicAccess.BLOCK_ALL, encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True, object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=access_logs, server_access_logs_prefix="site/",
            removal_policy=RemovalPolicy.RETAIN)
        headers = cloudfront.ResponseHeadersPolicy(
            self, "PageHeaders",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=page_csp(uploads), override=True),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.NO_REFERRER, override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True)))
        pages = cloudfront.Function(self, "Pages", code=cloudfront.FunctionCode.from_inline(rewrite_code()),
                                    runtime=cloudfront.FunctionRuntime.JS_2_0,
                                    comment="The page's paths to its files (shared/web.py)")
        # CloudFront forwards Authorization only as part of the cache key (an origin request policy may not
        # name it): so it is in the key, nothing is kept longer than the answer asks for (default 0 s, at
        # most 1 s), and one caller's answer can never be served to another.
        api_cache = cloudfront.CachePolicy(
            self, "ApiPassThrough", comment="The API: Authorization forwarded, nothing cached",
            default_ttl=Duration.seconds(0), min_ttl=Duration.seconds(0), max_ttl=Duration.seconds(1),
            header_behavior=cloudfront.CacheHeaderBehavior.allow_list("Authorization", "X-API-Key"),
            query_string_behavior=cloudfront.CacheQueryStringBehavior.all(),
            cookie_behavior=cloudfront.CacheCookieBehavior.none())
        self.distribution = cloudfront.Distribution(
            self, "Distribution",
            comment="TimeTracker: the page, and the API at /api/*",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                response_headers_policy=headers,
                function_associations=[cloudfront.FunctionAssociation(
                    function=pages, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST)]),
            additional_behaviors={
                web.API_PREFIX + "*": cloudfront.BehaviorOptions(
                    origin=origins.RestApiOrigin(api),  # the stage is the origin path
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                    allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                    cache_policy=api_cache,
                    origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER),
            },
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
        )
        self.files = s3deploy.BucketDeployment(
            self, "Files", sources=[s3deploy.Source.asset(str(web.WEB_DIR), exclude=[".*"])],
            destination_bucket=self.bucket, distribution=self.distribution, distribution_paths=["/*"],
            cache_control=[s3deploy.CacheControl.no_cache()], prune=True)
        acknowledge(self.distribution, {
            "AwsSolutions-CFR1": "The page and API serve users anywhere; geo restriction is an operator's choice.",
            "AwsSolutions-CFR2": "A WAF web ACL is an operator's choice per account (as for the API's stage).",
            "AwsSolutions-CFR3": "The API stage keeps access logs and the site bucket has server access logs; "
                                 "CloudFront's standard logs need an ACL-enabled bucket, which this stack avoids.",
            "AwsSolutions-CFR4": "The default *.cloudfront.net certificate; a custom domain with its own certificate "
                                 "(and TLS 1.2 minimum, set here) is configured per deployment.",
        })
        # CDK puts BucketDeployment's function (deploy time only) at the stack's root, one per stack.
        handler = next(c for c in Stack.of(self).node.children if c.node.id.startswith("Custom::CDKBucketDeployment"))
        copying = ("CDK's BucketDeployment copies the page's asset from the CDK asset bucket into the site bucket, "
                   "prunes what is gone and invalidates the distribution (CreateInvalidation takes no resource)")
        site = Stack.of(self).get_logical_id(self.bucket.node.default_child)
        acknowledge(handler, {
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AWSLambdaBasicExecutionRole]": "CDK's BucketDeployment function logs with the basic execution policy.",
            **{f"AwsSolutions-IAM5[{finding}]": copying for finding in (
                "Action::s3:Abort*", "Action::s3:DeleteObject*", "Action::s3:GetBucket*", "Action::s3:GetObject*",
                "Action::s3:List*", "Resource::*", f"Resource::<{site}.Arn>/*",
                "Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*")},
            "AwsSolutions-L1": "CDK's BucketDeployment pins its own runtime.",
        })
