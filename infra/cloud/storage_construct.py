"""S3 for imports and exports: private, encrypted, TLS only. Exports (and
abandoned uploads) expire after 7 days; incomplete multipart uploads are aborted."""
from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.cloud.nag import acknowledge
from shared.data import bucket_layout


class StorageConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str):
        super().__init__(scope, construct_id)
        common = dict(
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        # Owner-enforced: log delivery is granted by bucket policy, not the legacy LogDeliveryWrite ACL.
        self.access_logs = s3.Bucket(
            self, "AccessLogs", **common, object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[s3.LifecycleRule(id="expire-access-logs", expiration=Duration.days(90))],
        )
        acknowledge(self.access_logs, {
            "AwsSolutions-S1": "This is the server-access-log bucket itself; logging it into itself would loop.",
        })
        self.bucket = s3.Bucket(
            self, "Data", **common,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="data/",
            # The page PUTs big files to presigned upload URLs from the distribution's origin; the signature
            # is the credential (any origin may use a URL it was given, as curl can), so CORS only lets the
            # browser send it.
            cors=[s3.CorsRule(allowed_methods=[s3.HttpMethods.PUT], allowed_origins=["*"],
                              allowed_headers=["content-type"], max_age=3600)],
            lifecycle_rules=[
                *(s3.LifecycleRule(id=f"expire-{prefix.strip('/')}", prefix=prefix,
                                   expiration=Duration.days(bucket_layout.EXPIRY_DAYS))
                  for prefix in bucket_layout.EXPIRING),
                s3.LifecycleRule(id="abort-incomplete-multipart",
                                 abort_incomplete_multipart_upload_after=Duration.days(1)),
            ],
        )
