"""Start the local stack exactly as `make run` does, and drive it over HTTP."""
from __future__ import annotations

import pytest

from shared.auth.tokens import generate_token
from tests.local_stack import Stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    s = Stack(tmp_path_factory.mktemp("stack"), generate_token()).start()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def make_stack(tmp_path_factory):
    """Extra stacks with their own settings (stopped at the end if still running)."""
    started = []

    def make(**env) -> Stack:
        s = Stack(tmp_path_factory.mktemp("stack"), generate_token(), **env)
        started.append(s)
        return s

    yield make
    for s in started:
        if s.process and s.process.poll() is None:
            s.stop()
