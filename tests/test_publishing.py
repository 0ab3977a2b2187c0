"""Publishing: the OWNER/REPO placeholder of the badges and of REPOSITORY_URL is replaced by the
repository's name, by .github/name_repository.py, which the workflow name-repository.yml runs on the
first push of a fork or copy."""

import ast
import importlib.util
import shutil
import subprocess
import sys

import nbformat
import pytest

from notebook_loader import NOTEBOOK, REPO

SCRIPT = REPO / ".github" / "name_repository.py"
WORKFLOW = REPO / ".github" / "workflows" / "name-repository.yml"
spec = importlib.util.spec_from_file_location("name_repository", SCRIPT)
naming = importlib.util.module_from_spec(spec)
spec.loader.exec_module(naming)


@pytest.fixture
def copy(tmp_path):
    """A copy of the files the workflow edits, as a fresh fork holds them."""
    shutil.copy(REPO / "README.md", tmp_path / "README.md")
    shutil.copy(NOTEBOOK, tmp_path / NOTEBOOK.name)
    return tmp_path


def repository_url(notebook):
    """The value the configuration cell gives REPOSITORY_URL, however the line is formatted."""
    configuration = next(c for c in notebook.cells if "parameters" in c.metadata.get("tags", []))
    for statement in ast.parse(configuration.source).body:
        if (
            isinstance(statement, ast.Assign)
            and ast.unparse(statement.targets[0]) == "REPOSITORY_URL"
        ):
            return ast.literal_eval(statement.value)


def run(copy, repository):
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--root", str(copy), "--", repository],
        capture_output=True,
        text=True,
    )


def test_the_committed_files_hold_the_placeholder_until_the_repository_is_named():
    assert "OWNER/REPO" in (REPO / "README.md").read_text() and "OWNER/REPO" in NOTEBOOK.read_text()


def test_naming_replaces_every_placeholder_in_the_readme_and_the_notebook(copy):
    result = run(copy, "someone/odd-shapes")
    assert (
        result.returncode == 0
        and "named someone/odd-shapes in README.md, odd_shapes_solution.ipynb" in result.stdout
    )
    readme, notebook = (copy / "README.md").read_text(), (copy / NOTEBOOK.name).read_text()
    assert "OWNER/REPO" not in readme and "OWNER/REPO" not in notebook
    assert (
        "colab.research.google.com/github/someone/odd-shapes/blob/main/odd_shapes_solution.ipynb"
        in notebook
    )
    assert "https://github.com/someone/odd-shapes/actions/workflows/tests.yml/badge.svg" in readme
    named = nbformat.read(copy / NOTEBOOK.name, as_version=4)
    assert repository_url(named) == "https://raw.githubusercontent.com/someone/odd-shapes/main"


def test_the_named_notebook_is_valid_and_keeps_its_outputs_and_its_placeholder_check(copy):
    naming.name_repository("someone/odd-shapes", copy)
    before, after = (
        nbformat.read(NOTEBOOK, as_version=4),
        nbformat.read(copy / NOTEBOOK.name, as_version=4),
    )
    nbformat.validate(after)
    assert [c.get("outputs") for c in after.cells] == [c.get("outputs") for c in before.cells]
    assert '"OWNER" + "/REPO"' in "\n".join(
        c.source for c in after.cells
    )  # spelled in two pieces, so it survives


def test_naming_a_second_time_changes_nothing(copy):
    naming.name_repository("someone/odd-shapes", copy)
    snapshot = {name: (copy / name).read_bytes() for name in ("README.md", NOTEBOOK.name)}
    result = run(copy, "someone-else/other")
    assert result.returncode == 0 and "nothing to do" in result.stdout
    assert snapshot == {name: (copy / name).read_bytes() for name in snapshot}


@pytest.mark.parametrize(
    "repository",
    [
        "someone",
        "a/b/c",
        "OWNER/REPO",
        "owner/repo",
        "-someone/x",
        "some one/x",
        "someone/",
        "someone/..",
        'x/"quoted"',
        "x" * 40 + "/too-long-owner",
    ],
)
def test_a_name_that_is_not_owner_slash_repository_is_refused_and_nothing_changes(copy, repository):
    result = run(copy, repository)
    assert result.returncode != 0 and "must be named like OWNER/NAME" in result.stderr
    assert (copy / "README.md").read_bytes() == (REPO / "README.md").read_bytes()


def test_the_workflow_names_the_repository_it_runs_in_and_commits_only_a_change():
    workflow = WORKFLOW.read_text()
    assert 'python3 .github/name_repository.py "$GITHUB_REPOSITORY"' in workflow
    assert (
        "contents: write" in workflow and "git diff --quiet" in workflow and "git push" in workflow
    )


def test_the_workflow_is_valid_against_the_github_workflow_schema():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            str(WORKFLOW),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_readme_gives_the_manual_command_as_a_fallback():
    assert "python3 .github/name_repository.py" in (REPO / "README.md").read_text()


def test_the_longest_name_github_allows_names_the_repository_url_and_keeps_the_notebook_valid(copy):
    # GitHub's limits: an owner of 39 characters, a repository of 100
    longest = "o" * 39 + "/" + "r-._" * 25
    result = run(copy, longest)
    assert result.returncode == 0, result.stderr
    notebook = nbformat.read(copy / NOTEBOOK.name, as_version=4)
    nbformat.validate(notebook)
    assert repository_url(notebook) == f"https://raw.githubusercontent.com/{longest}/main"
