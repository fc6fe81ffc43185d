"""Create the first admin of a deployed stack and print its token (once).

    python -m infra.bootstrap_admin [--stack TimeTracker] [--username admin] [--email admin@example.com]

Uses your AWS credentials (DynamoDB write access to the stack's tables). The table names
come from the stack's ``TableNames`` output; the admin and token are written by the same
code the local stack uses (shared/logic/bootstrap.py). Running it again creates no second
admin; it issues a new token for the existing one. TT_ADMIN_TOKEN=tt_... installs that
exact token instead.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def environment_from_outputs(outputs: list[dict]) -> dict[str, str]:
    """The table variables the shared code reads, from the stack's outputs."""
    from shared.settings import BUCKET_ENV, TABLE_ENV

    values = {o["OutputKey"]: o["OutputValue"] for o in outputs}
    if "TableNames" not in values:
        raise SystemExit("The stack has no TableNames output: deploy this version of the stack first")
    tables = json.loads(values["TableNames"])
    env = {TABLE_ENV[logical]: name for logical, name in tables.items() if logical in TABLE_ENV}
    if "DataBucket" in values:
        env[BUCKET_ENV] = values["DataBucket"]
    return env


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stack", default="TimeTracker")
    parser.add_argument("--username", default="admin")
    parser.add_argument("--email", default="admin@example.com")
    args = parser.parse_args(argv)

    import boto3

    stack = boto3.client("cloudformation").describe_stacks(StackName=args.stack)["Stacks"][0]
    os.environ.update(environment_from_outputs(stack.get("Outputs", [])))
    from shared.logic.bootstrap import ensure_admin  # reads the table names just set

    admin, token = ensure_admin(args.username, args.email, os.environ.get("TT_ADMIN_TOKEN"))
    print(f"admin: {admin.username} (id {admin.id})")
    print(f"token: {token}  (shown once; keep it safe)")


if __name__ == "__main__":
    main()
