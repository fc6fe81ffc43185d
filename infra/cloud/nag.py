"""cdk-nag acknowledgements: every one carries the reason it is acceptable."""
from __future__ import annotations

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct


def acknowledge(construct: IConstruct, reasons: dict[str, str]) -> None:
    """``reasons`` maps a finding id (e.g. "AwsSolutions-IAM5[Resource::*]") to why it is accepted.

    The acknowledgement covers the construct and its children (a role's default policy, say).
    """
    Validations.of(construct).acknowledge(
        *(Acknowledgment(id=f"AwsSolutions::{rule}", reason=why) for rule, why in reasons.items()))


def arn_token(construct: IConstruct) -> str:
    """How cdk-nag names a resource's ARN inside a finding: <LogicalId.Arn>."""
    from aws_cdk import Stack

    return f"<{Stack.of(construct).get_logical_id(construct.node.default_child)}.Arn>"
