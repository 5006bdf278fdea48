"""Workbook hygiene, and the nbval references' code equals the workbooks'."""

from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
WORKBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
REFERENCES = ROOT / "tests" / "notebooks"


def _code(notebook, *, skip_injected=True):
    return [
        cell.source
        for cell in notebook.cells
        if cell.cell_type == "code"
        and not (
            skip_injected and "injected-parameters" in cell.metadata.get("tags", [])
        )
    ]


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.stem)
def test_workbook_is_clean(path):
    notebook = nbformat.read(path, as_version=4)
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert notebook.cells[0].cell_type == "markdown"
    assert "Parameters" in notebook.cells[0].source
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None
            lines = [line.lstrip() for line in cell.source.splitlines()]
            assert not any(line.startswith(("def ", "class ")) for line in lines)


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.stem)
def test_reference_runs_the_workbooks_code(path):
    reference = REFERENCES / path.name
    assert reference.is_file(), "run `make references` to create it"
    workbook = nbformat.read(path, as_version=4)
    executed = nbformat.read(reference, as_version=4)
    assert _code(executed) == _code(workbook), "run `make references`"
    assert all(c.execution_count for c in executed.cells if c.cell_type == "code")
