"""Load the notebook's code from its `definitions` cells: the notebook is the only copy of the code."""
import sys
import types
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "odd_shapes_solution.ipynb"


def read_notebook():
    return nbformat.read(NOTEBOOK, as_version=4)


def definition_cells(notebook):
    return [cell for cell in notebook.cells
            if cell.cell_type == "code" and "definitions" in cell.metadata.get("tags", [])]


def load_definitions(module_name="odd_shapes_notebook"):
    """Execute the `definitions` cells, in order, in a fresh module; return that module."""
    module = types.ModuleType(module_name)
    sys.modules[module_name] = module  # dataclasses and pickling look classes up here
    for index, cell in enumerate(definition_cells(read_notebook())):
        exec(compile(cell.source, f"<definitions cell {index}>", "exec"), module.__dict__)
    return module
