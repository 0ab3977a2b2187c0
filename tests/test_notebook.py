"""The notebook as a document: definitions cells, quick end-to-end run, committed outputs."""
import hashlib
import os
import re
import subprocess

import matplotlib.pyplot as plt
import papermill
import pytest

from notebook_loader import NOTEBOOK, REPO, load_definitions, read_notebook

FIGURES = ["examples.png", "rmse_curve.png", "attention_examples.png", "attention_matrix.png", "worst_cases.png"]


def test_configuration_cell_is_tagged_for_papermill_and_for_definitions():
    code = [cell for cell in read_notebook().cells if cell.cell_type == "code"]
    tags = code[0].metadata.get("tags", [])
    assert "parameters" in tags and "definitions" in tags
    assert "TRAIN = True" in code[0].source


def test_definitions_cells_define_everything_without_training_plotting_or_writing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plt.close("all")
    module = load_definitions("odd_shapes_definitions_only")
    for name in ("OddXYDataset", "BatchedOddShapes", "render_shapes", "OddShapeLocator", "load_model",
                 "train_stage", "evaluate_on_dataset", "hidden_odd_posterior_mean", "plot_attention_examples"):
        assert hasattr(module, name), name
    assert list(tmp_path.iterdir()) == []          # no file written
    assert plt.get_fignums() == []                 # nothing plotted
    assert not hasattr(module, "history")          # nothing trained


def test_whole_notebook_runs_top_to_bottom_in_quick_mode(tmp_path):
    before = hashlib.sha256(NOTEBOOK.read_bytes()).hexdigest()
    output = tmp_path / "quick.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK), str(output), cwd=str(REPO), progress_bar=False,
        parameters=dict(STAGE1_EPOCHS=1, STAGE2_EPOCHS=1, SAMPLES_PER_EPOCH=640, EVAL_SAMPLES=1500,
                        ANALYSIS_SAMPLES=100, CHECKPOINT_PATH=str(tmp_path / "quick.pt"),
                        HISTORY_PATH=str(tmp_path / "history.json"), FIGURES_DIR=str(tmp_path / "figures")))
    text = output.read_text()
    assert "Final RMSE on 1,500 fresh OddXYDataset samples" in text
    assert "stage 2 | epoch   1/1" in text
    assert sorted(os.listdir(tmp_path / "figures")) == sorted(FIGURES)
    assert (tmp_path / "quick.pt").exists()
    assert hashlib.sha256(NOTEBOOK.read_bytes()).hexdigest() == before   # the committed notebook is untouched


def test_committed_notebook_was_executed_top_to_bottom_without_errors():
    code = [cell for cell in read_notebook().cells if cell.cell_type == "code"]
    assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1))
    assert not [o for cell in code for o in cell.outputs if o.output_type == "error"]


def test_committed_notebook_reports_the_final_rmse_on_25000_samples():
    outputs = "".join(o.get("text", "") for cell in read_notebook().cells if cell.cell_type == "code"
                      for o in cell.outputs)
    match = re.search(r"Final RMSE on 25,000 fresh OddXYDataset samples: (\d+\.\d+) px", outputs)
    assert match and float(match.group(1)) <= 3.0


def test_committed_notebook_is_small_enough_for_github_to_render():
    assert NOTEBOOK.stat().st_size < 5_000_000


def test_notebook_opens_with_a_colab_badge_and_a_table_of_contents():
    first = read_notebook().cells[0]
    assert first.cell_type == "markdown"
    assert "colab.research.google.com/github/" in first.source and "odd_shapes_solution.ipynb" in first.source
    assert "Contents" in first.source


@pytest.mark.parametrize("figure", FIGURES)
def test_committed_figures_are_there(figure):
    assert (REPO / "figures" / figure).stat().st_size > 1000


def test_ci_runs_exactly_the_readme_test_command():
    readme = (REPO / "README.md").read_text()
    commands = re.findall(r"<!-- (main|test)-command -->\n```bash\n(.+)\n```", readme)
    assert [kind for kind, _ in commands] == ["main", "test"]
    found = subprocess.run(["awk", '/<!-- test-command -->/ {found = 1; next} found && /^[^`]/ {print; exit}',
                            str(REPO / "README.md")], capture_output=True, text=True, check=True).stdout.strip()
    assert found == dict(commands)["test"]
    assert "pytest" in found and "requirements.txt" in found
