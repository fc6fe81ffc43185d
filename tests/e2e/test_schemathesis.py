"""schemathesis against the running local stack: every operation of the OpenAPI document,
fuzzed a few examples each, must answer without a server error, within its documented
response schema, and only with statuses the document lists. Bounded in time; the admin's
token revocation and restores (which would replace the data under test) are left out."""
import subprocess
import sys
from pathlib import Path

from tests.fakes.saas import SaaS

MAX_SECONDS = 110


def test_schemathesis_finds_no_server_error_schema_violation_or_undocumented_status(make_stack):
    # Toggl and Harvest as loopback servers: fuzzed tokens never reach the real services, and are refused.
    with SaaS() as saas:
        stack = make_stack(API_TOKEN_RATE_LIMIT_PER_MINUTE=1_000_000, API_TOKEN_RATE_LIMIT_PER_HOUR=10_000_000,
                           SOURCE_RETRY_BACKOFF="0.01", **saas.environment()).start()
        cli = str(Path(sys.executable).with_name("schemathesis"))
        run = subprocess.run(
            [cli, "run", stack.url("/api/openapi.json"), "-H", f"Authorization: Bearer {stack.admin_token}",
             "--checks", "not_a_server_error,response_schema_conformance,status_code_conformance",
             "--max-examples", "3", "--max-time", str(MAX_SECONDS), "--seed", "1",
             "--exclude-operation-id", "revoke_api_token", "--exclude-operation-id", "create_restore"],
            capture_output=True, text=True, timeout=MAX_SECONDS + 120)
        summary = run.stdout[run.stdout.rfind("SUMMARY"):]
        print(summary)  # quoted in closing notes
        assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
        assert " passed" in summary and "failed" not in summary.split("Test cases:")[-1]
        assert stack.stop()
