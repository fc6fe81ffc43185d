"""The CDK app: `make synth` writes the CloudFormation template to cdk.out/.

The layer folder (build/layer) is prepared by `make layer` (pip for arm64 +
shared/), so synthesis needs no Docker.
"""
from __future__ import annotations

import os
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from cdk_nag import AwsSolutionsChecks

from infra.cloud.stack import TimeTrackerStack

ROOT = Path(__file__).resolve().parents[1]


# Set here, not only in cdk.json, so `make synth` (no CDK CLI) and the tests synthesise the same template.
FEATURE_FLAGS = {
    # Grant S3 log delivery by bucket policy instead of the legacy LogDeliveryWrite ACL (cfn-lint W3045).
    "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True,
}


def build(app: cdk.App, layer_dir: Path) -> TimeTrackerStack:
    for flag, value in FEATURE_FLAGS.items():
        app.node.set_context(flag, value)
    if os.environ.get("WARM_WRITE_UNITS"):  # pre-warm the tables imports write (infra/cloud/capacity.py)
        app.node.set_context("warm_write_units", int(os.environ["WARM_WRITE_UNITS"]))
    if os.environ.get("ALARM_EMAIL"):  # `ALARM_EMAIL=ops@example.com make synth`: who the alarms write to
        app.node.set_context("alarm_email", os.environ["ALARM_EMAIL"])
    stack = TimeTrackerStack(
        app, "TimeTracker",
        layer_code=lambda_.Code.from_asset(str(layer_dir)),
        functions_dir=str(ROOT / "functions"),
        env=cdk.Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=os.environ.get("CDK_DEFAULT_REGION")),
    )
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    return stack


def main() -> None:
    layer_dir = Path(os.environ.get("TT_LAYER_DIR", str(ROOT / "build" / "layer")))
    if not (layer_dir / "python" / "shared").is_dir():
        raise SystemExit(f"{layer_dir} is not built: run `make layer` (or `make synth`) first")
    app = cdk.App()
    build(app, layer_dir)
    app.synth()


if __name__ == "__main__":
    main()
