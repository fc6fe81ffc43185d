"""The README's five-minute tour, run exactly as written (its second code block, in bash)
against a fresh stack started as `make run` starts it: every command must succeed, and the
error examples must give the statuses the README promises."""
import os
import re
import subprocess

from tests.local_stack import ROOT


def tour_block() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## A five-minute tour"):]
    blocks = re.findall(r"```bash\n(.*?)```", section, re.S)
    return next(b for b in blocks if b.startswith("API="))


def test_the_readme_tour_runs_top_to_bottom_on_a_fresh_stack(make_stack):
    stack = make_stack().start()
    env = {**os.environ, "PORT": str(stack.port), "TT_ADMIN_TOKEN": stack.admin_token}
    run = subprocess.run(["bash", "-euo", "pipefail", "-c", tour_block()], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, f"stdout:\n{run.stdout[-4000:]}\nstderr:\n{run.stderr[-4000:]}"
    out = run.stdout
    assert re.findall(r" -> (\d{3})", out) == ["403", "400", "401"], out[-2000:]
    assert "X-RateLimit-Remaining" in out and '"required_scope"' in out
    assert out.count('"Worked on feature X"') >= 2  # the repeated POST answered the same entry
    entries = stack.session().get(stack.url("/api/v1/time-entries"), params={"per_page": 100}).json()
    assert entries["pagination"]["total"] == 3  # one entry (not two), the timer's, the imported row
    assert stack.stop()
