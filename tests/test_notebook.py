"""The notebook as a document: its cells, a quick run end to end, its committed outputs, the README."""
import hashlib
import json
import os
import re
import subprocess

import matplotlib.pyplot as plt
import papermill
import pytest

from notebook_loader import NOTEBOOK, REPO, load_definitions, outputs_text, read_notebook

FIGURES = ["examples.png", "rmse_curve.png", "attention_examples.png", "attention_matrix.png", "worst_cases.png"]


def code_cells(notebook=None):
    return [cell for cell in (notebook or read_notebook()).cells if cell.cell_type == "code"]


def tree_digest(*folders):
    """One digest of every file under the given repository folders: did anything change?"""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted((REPO / folder).rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(REPO)).encode() + path.read_bytes())
    return digest.hexdigest()


def test_first_code_cell_sets_the_cpu_switches_before_torch_is_imported():
    first = code_cells()[0]
    assert "REPRODUCIBLE_CPU_SETTINGS" in first.source and "os.environ.update" in first.source
    assert "import torch" not in first.source
    assert "definitions" in first.metadata.get("tags", [])


def test_configuration_cell_is_tagged_for_papermill_and_for_definitions():
    tagged = [cell for cell in code_cells() if "parameters" in cell.metadata.get("tags", [])]
    assert len(tagged) == 1 and "definitions" in tagged[0].metadata.tags
    assert "TRAIN = True" in tagged[0].source and "QUICK = False" in tagged[0].source


def test_definitions_cells_define_everything_without_training_plotting_or_writing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plt.close("all")
    module = load_definitions("odd_shapes_definitions_only")
    for name in ("OddXYDataset", "BatchedOddShapes", "render_shapes", "OddShapeLocator", "load_model",
                 "train_two_stages", "evaluate_on_dataset", "hidden_odd_posterior_mean", "plot_attention_examples",
                 "check_configuration", "locate_in_scene", "print_comparison"):
        assert hasattr(module, name), name
    assert list(tmp_path.iterdir()) == []          # no file written
    assert plt.get_fignums() == []                 # nothing plotted
    assert not hasattr(module, "history")          # nothing trained


def test_quick_smoke_run_executes_every_cell_and_leaves_the_committed_files_alone(tmp_path):
    before = tree_digest("checkpoints", "figures"), hashlib.sha256(NOTEBOOK.read_bytes()).hexdigest()
    output = tmp_path / "quick.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(output), cwd=str(REPO), progress_bar=False,
                               parameters=dict(QUICK=True))
    text = outputs_text(read_notebook(output))
    quick_dir = re.search(r"everything it writes goes to (\S+)", text).group(1)
    assert "Final RMSE on 1,000 fresh OddXYDataset samples" in text
    assert "stage 2 | epoch   1/1" in text
    assert sorted(os.listdir(os.path.join(quick_dir, "figures"))) == sorted(FIGURES)
    assert os.path.isfile(os.path.join(quick_dir, "odd_shapes.pt"))
    assert (tree_digest("checkpoints", "figures"), hashlib.sha256(NOTEBOOK.read_bytes()).hexdigest()) == before


def test_a_bad_configuration_stops_the_notebook_before_anything_is_trained_or_written(tmp_path):
    output = tmp_path / "bad.ipynb"
    with pytest.raises(papermill.PapermillExecutionError, match="BATCH_SIZE must be a positive integer"):
        papermill.execute_notebook(str(NOTEBOOK), str(output), cwd=str(REPO), progress_bar=False,
                                   parameters=dict(BATCH_SIZE=0, FIGURES_DIR=str(tmp_path / "figures"),
                                                   CHECKPOINT_PATH=str(tmp_path / "w.pt")))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.ipynb"]


def test_committed_notebook_was_executed_top_to_bottom_without_errors():
    code = code_cells()
    assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1))
    assert not [o for cell in code for o in cell.outputs if o.output_type == "error"]


def test_committed_notebook_is_a_full_run_not_a_quick_one():
    text = outputs_text()
    assert "QUICK smoke run" not in text
    assert re.search(r"stage 2 \| epoch +\d+/(\d+)", text)


def test_committed_notebook_reports_the_final_rmse_on_25000_samples_with_its_interval():
    match = re.search(r"Final RMSE on 25,000 fresh OddXYDataset samples: (\d+\.\d+) px "
                      r"\(95% bootstrap interval (\d+\.\d+) - (\d+\.\d+) px", outputs_text())
    assert match and float(match.group(2)) < float(match.group(1)) < float(match.group(3)) <= 3.0


def test_committed_notebook_reports_the_rmse_on_200000_samples():
    match = re.search(r"RMSE on 200,000 fresh samples of the batched generator: (\d+\.\d+) px", outputs_text())
    assert match and float(match.group(1)) <= 3.0


def test_committed_notebook_is_small_enough_for_github_to_render():
    assert NOTEBOOK.stat().st_size < 5_000_000


def test_notebook_opens_with_a_colab_badge_and_a_table_of_contents():
    first = read_notebook().cells[0]
    assert first.cell_type == "markdown"
    assert "colab.research.google.com/github/" in first.source and "odd_shapes_solution.ipynb" in first.source
    assert "Contents" in first.source


def test_every_markdown_cell_after_a_figure_cell_has_a_caption_before_the_next_code_cell():
    """Every cell that draws a figure is followed by a markdown caption (or introduced by one)."""
    cells = read_notebook().cells
    for index, cell in enumerate(cells):
        if cell.cell_type == "code" and any("image/png" in o.get("data", {}) for o in cell.outputs):
            neighbours = [cells[i] for i in (index - 1, index + 1) if 0 <= i < len(cells)]
            assert any(c.cell_type == "markdown" and "**Figure" in c.source for c in neighbours), cell.source[:80]


@pytest.mark.parametrize("figure", FIGURES)
def test_committed_figures_are_there(figure):
    assert (REPO / "figures" / figure).stat().st_size > 1000


def test_readme_sed_line_replaces_every_placeholder_and_keeps_the_placeholder_check_working():
    readme = (REPO / "README.md").read_text()
    sed = re.search(r"sed -i 's#OWNER/REPO#([^#]+)#g'", readme)
    assert sed, "the README gives the sed line"
    published = NOTEBOOK.read_text().replace("OWNER/REPO", "someone/odd-shapes")
    assert "OWNER/REPO" not in published
    assert "raw.githubusercontent.com/someone/odd-shapes/main" in published
    assert '\\"OWNER\\" + \\"/REPO\\"' in published   # the check, spelled in two pieces, survives the sed


def test_ci_runs_exactly_the_readme_test_command():
    readme = (REPO / "README.md").read_text()
    commands = re.findall(r"<!-- (main|test)-command -->\n```bash\n(.+)\n```", readme)
    assert [kind for kind, _ in commands] == ["main", "test"]
    found = subprocess.run(["awk", '/<!-- test-command -->/ {found = 1; next} found && /^[^`]/ {print; exit}',
                            str(REPO / "README.md")], capture_output=True, text=True, check=True).stdout.strip()
    assert found == dict(commands)["test"]
    assert "pytest" in found and "requirements.txt" in found


def test_committed_comparison_is_the_tools_output_for_the_committed_configuration(nb):
    comparison = json.loads((REPO / "benchmarks" / "results" / "comparison.json").read_text())
    assert comparison["validation_samples"] >= 200_000
    assert comparison["validation_seed"] not in (0, 1, 2_025_07_02, nb.SEED, nb.EVAL_SEED)
    assert all("rmse" in row and row["seeds"] for row in comparison["rows"])
    # The notebook's configuration was compared with two training seeds. The runs kept a weight average
    # beside the last weights; their `raw` variants are the last weights, which the notebook keeps.
    variant = "raw+mirror" if nb.MIRROR_AVERAGE else "raw"
    committed = [row for row in comparison["rows"] if row["variant"] == variant and all(
        value == getattr(nb, key) for key, value in row["settings"].items() if key != "EMA_DECAY")]
    assert nb.EMA_DECAY == 0 and len(committed) == 1 and len(committed[0]["seeds"]) >= 2
