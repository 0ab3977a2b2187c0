"""CI: `.ci/run`, which the GitHub workflow runs, runs the README's test command and fails when
it fails.

`.ci/run` itself is run, on a copy beside a README of our own whose commands are harmless. The
real README is read by `.ci/run`'s own extraction, with `bash` on the PATH replaced by a recorder,
so that the real test command (the whole suite) does not run again from inside it.
"""

import re
import shutil
import subprocess

import pytest

from notebook_loader import REPO

CI_RUN = REPO / ".ci" / "run"
BASH = shutil.which("bash")
README_BLOCK = re.compile(r"<!-- (main|test)-command -->\n```bash\n(.+)\n```")


def readme_with(main_command, test_command):
    """A README laid out as the real one: the main command's block, then the test command's."""
    return (
        "# A project\n\nRun it:\n\n"
        f"<!-- main-command -->\n```bash\n{main_command}\n```\n\n"
        "Test it:\n\n"
        f"<!-- test-command -->\n```bash\n{test_command}\n```\n\nMore prose.\n"
    )


def copy_of_ci_run(root, readme):
    """A repository of two files: a copy of `.ci/run` and `readme` as its README.md."""
    (root / ".ci").mkdir(parents=True)
    shutil.copy(CI_RUN, root / ".ci" / "run")
    (root / "README.md").write_text(readme)
    return root / ".ci" / "run"


def run_ci(script, cwd, env=None):
    return subprocess.run(
        [BASH, str(script)], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )


def test_ci_runs_the_readme_test_command_at_the_repository_root(tmp_path):
    root, elsewhere = tmp_path / "repository", tmp_path / "elsewhere"
    elsewhere.mkdir()
    readme = readme_with(
        "touch main-command-ran", "touch test-command-ran && echo token-$((4700 + 21))"
    )
    result = run_ci(copy_of_ci_run(root, readme), cwd=elsewhere)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "token-4721" in result.stdout
    assert (root / "test-command-ran").exists()
    assert not (root / "main-command-ran").exists()
    assert list(elsewhere.iterdir()) == []


def test_ci_fails_when_the_readme_test_command_fails(tmp_path):
    readme = readme_with("true", "echo token-$((4700 + 21)) && exit 3")
    result = run_ci(copy_of_ci_run(tmp_path, readme), cwd=tmp_path)
    assert "token-4721" in result.stdout
    assert result.returncode != 0


def test_ci_fails_when_the_readme_has_no_test_command(tmp_path):
    result = run_ci(copy_of_ci_run(tmp_path, "# A project\n\nNo commands here.\n"), cwd=tmp_path)
    assert result.returncode != 0
    assert "no test command found" in result.stderr


@pytest.fixture
def recording_bash(tmp_path):
    """A PATH whose `bash` records its arguments, one a line, and runs nothing (`python3` too)."""
    stubs, record = tmp_path / "stubs", tmp_path / "record"
    stubs.mkdir()
    for name, status in (("bash", 0), ("python3", 1)):
        stub = stubs / name
        stub.write_text(f"#!/bin/sh\nprintf '%s\\n' {name} \"$@\" >> '{record}'\nexit {status}\n")
        stub.chmod(0o755)
    return f"{stubs}:/usr/bin:/bin", record


def test_ci_reads_the_readmes_test_command_block_as_the_readme_shows_it(tmp_path, recording_bash):
    path, record = recording_bash
    readme = (REPO / "README.md").read_text()
    blocks = README_BLOCK.findall(readme)
    assert [kind for kind, _ in blocks] == ["main", "test"]
    run_ci(copy_of_ci_run(tmp_path / "repository", readme), cwd=tmp_path, env={"PATH": path})
    assert record.exists(), ".ci/run ran no `bash -c COMMAND`"
    assert record.read_text().splitlines() == ["bash", "-c", dict(blocks)["test"]]


def test_the_readme_test_command_installs_the_requirements_and_runs_pytest():
    command = dict(README_BLOCK.findall((REPO / "README.md").read_text()))["test"]
    assert "pip install -r requirements.txt" in command
    assert "-m pytest" in command
