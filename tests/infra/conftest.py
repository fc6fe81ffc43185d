"""Synthesise the CDK app once per session, with cdk-nag, against a placeholder layer."""
import json

import pytest


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory):
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    from infra.app import build

    layer = tmp_path_factory.mktemp("layer")
    (layer / "python" / "shared").mkdir(parents=True)
    outdir = tmp_path_factory.mktemp("cdk.out")
    app = cdk.App(outdir=str(outdir))
    stack = build(app, layer)
    app.synth()  # raises if cdk-nag reports an unacknowledged finding
    report = json.loads((outdir / "validation-report.json").read_text())
    return stack, Template.from_stack(stack), report
