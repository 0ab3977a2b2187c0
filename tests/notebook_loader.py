"""Load the notebook's code from its `definitions` cells: the notebook is the only copy of the code.

This is the one way every test and tool reaches the notebook. Its first cell sets CPU switches that
act only before torch is imported, so a tool imports nothing that imports torch before
load_definitions(), and uses the returned module's `torch`.

"""

import os
import sys
import types
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = Path(os.environ.get("ODD_SHAPES_NOTEBOOK", REPO / "odd_shapes_solution.ipynb"))


def read_notebook(path=NOTEBOOK):
    return nbformat.read(path, as_version=4)


def definition_cells(notebook):
    return [
        cell
        for cell in notebook.cells
        if cell.cell_type == "code" and "definitions" in cell.metadata.get("tags", [])
    ]


def load_definitions(module_name="odd_shapes_notebook", overrides=None, path=NOTEBOOK):
    """Execute the `definitions` cells, in order, in a fresh module; return that module.

    `overrides` replace constants of the configuration cell right after it runs, as papermill's
    injected parameters do, so that everything defined later sees them.

    """
    if "torch" in sys.modules and "ATEN_CPU_CAPABILITY" not in os.environ:
        raise RuntimeError(
            "torch was imported before the notebook's definitions were loaded, so the notebook's "
            "CPU settings cannot apply: call load_definitions() first and use the returned "
            "module's torch"
        )
    module = types.ModuleType(module_name)
    sys.modules[module_name] = module  # dataclasses and pickling look classes up here
    for index, cell in enumerate(definition_cells(read_notebook(path))):
        exec(compile(cell.source, f"<definitions cell {index}>", "exec"), module.__dict__)
        if "parameters" in cell.metadata.get("tags", []) and overrides:
            unknown = set(overrides) - set(module.__dict__)
            if unknown:
                raise KeyError(f"not constants of the configuration cell: {sorted(unknown)}")
            module.__dict__.update(overrides)
    return module


def outputs_text(notebook=None):
    """Everything the code cells of `notebook` (default: the committed one) printed, as one text: a
    stream that the kernel sent in several outputs reads as it was printed."""
    notebook = notebook or read_notebook()
    texts = (
        o.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for o in cell.outputs
    )
    return "".join(text if text.endswith("\n") else text + "\n" for text in texts if text)
