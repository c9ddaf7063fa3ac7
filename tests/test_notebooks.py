"""The notebooks: stored without outputs, parameters first, and they run top to bottom.

Each notebook is executed with nbclient in a fresh ``python3`` kernel (jupyter_client starts
it with this interpreter, so the venv's fraudsim is the one imported), at the CI-sized values
of its parameters cell; a failing cell fails the test with the cell's traceback. The test
injects ``OUT_DIR`` after the parameters cell (as papermill would) so that the runs land in
pytest's temporary directory. Together they take about a minute on an idle machine.
"""

from __future__ import annotations

from pathlib import Path

import pytest

# Long runs (many seeds or whole periods): left out of the fast subset, -m "not slow".
pytestmark = pytest.mark.slow

nbformat = pytest.importorskip("nbformat", reason="install the 'notebooks' extra")
nbclient = pytest.importorskip("nbclient", reason="install the 'notebooks' extra")
pytest.importorskip("ipykernel", reason="install the 'notebooks' extra")

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = ["policy_comparison.ipynb", "outcome_curves.ipynb"]
CELL_TIMEOUT_S = 600  # one cell runs the sweep: generous for a slow CI machine


def read(name: str):
    return nbformat.read(NOTEBOOK_DIR / name, as_version=4)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_is_stored_clean_with_parameters_first(name):
    notebook = read(name)
    nbformat.validate(notebook)
    assert notebook.nbformat == 4
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    for i, cell in enumerate(code):
        assert cell.outputs == [], f"{name}: code cell {i} is stored with outputs"
        assert cell.execution_count is None, f"{name}: code cell {i} has an execution count"
    first = code[0]
    assert "parameters" in first.metadata.get("tags", []), f"{name}: no parameters cell first"
    for setting in ("SCALE", "SEEDS", "START", "END", "OUT_DIR"):
        assert f"{setting} = " in first.source, f"{name}: parameters cell lacks {setting}"
    assert "For real use" in first.source, f"{name}: parameters cell says nothing of real use"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_top_to_bottom(name, tmp_path):
    notebook = read(name)
    index = next(i for i, c in enumerate(notebook.cells) if c.cell_type == "code")
    injected = nbformat.v4.new_code_cell(f"OUT_DIR = {str(tmp_path / 'out')!r}")
    notebook.cells.insert(index + 1, injected)
    client = nbclient.NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
    )
    client.execute()  # raises CellExecutionError, with the cell and its traceback, on failure
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    errors = [o for o in outputs if o.output_type == "error"]
    assert not errors, f"{name}: {errors[0].ename}: {errors[0].evalue}"
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 5, f"{name}: expected its figures as PNG, found {len(images)}"
    reading = notebook.cells[-1].outputs
    text = "".join(o.get("text", "") for o in reading)
    assert text.strip(), f"{name}: the reading cell printed nothing"
    assert any((tmp_path / "out").iterdir()), f"{name}: wrote nothing to OUT_DIR"
