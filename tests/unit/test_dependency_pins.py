"""One version of each package everywhere: the Lambda layer, the run and dev pins and the
transitive lock (constraints.txt) agree, so the cloud runs what the tests ran."""
import re
from pathlib import Path

REQUIREMENTS = Path(__file__).resolve().parents[2] / "requirements"


def pins(name: str) -> dict[str, str]:
    found = {}
    for line in (REQUIREMENTS / name).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            package, _, version = line.partition("==")
            assert version, f"{name}: {line!r} is not pinned with =="
            found[re.sub(r"[-_.]+", "-", re.sub(r"\[.*\]", "", package)).lower()] = version
    return found


def test_every_pin_agrees_with_the_lock():
    lock = pins("constraints.txt")
    for name in ("run.txt", "dev.txt", "layer.txt"):
        for package, version in pins(name).items():
            assert lock.get(package) == version, f"{name} pins {package}=={version}, the lock {lock.get(package)}"


def test_the_layer_carries_what_the_handlers_import_at_the_run_versions():
    run, layer = pins("run.txt"), pins("layer.txt")
    for package in ("aws-lambda-powertools", "pydantic", "pynamodb"):
        assert layer[package] == run[package]
