"""`make invoke fn=<function> event=events/<file>.json`: run one handler on a sample
event against the running local stack, and print what it returned.

The string $TT_ADMIN_TOKEN in the event is replaced by the stack's admin token.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from infra.local.stack import ROOT


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m infra.local.invoke <function> <event.json>", file=sys.stderr)
        return 2
    function, event_path = argv
    state_path = Path(os.environ.get("TT_STATE_DIR", str(ROOT / ".local"))) / "stack.json"
    if not state_path.exists():
        print("The local stack is not running: start it with `make run` in another terminal.", file=sys.stderr)
        return 1
    state = json.loads(state_path.read_text())
    os.environ.update(state["environment"])
    event = json.loads(Path(event_path).read_text().replace("$TT_ADMIN_TOKEN", state["admin_token"]))

    from infra.local.lambdas import LocalContext, load_handler

    result = load_handler(function)(event, LocalContext(function))
    if isinstance(result, dict) and isinstance(result.get("body"), str):
        try:
            result["body"] = json.loads(result["body"])
        except ValueError:
            pass
    print(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
