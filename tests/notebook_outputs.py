"""Compare executed notebooks the way the run-equality tests need."""

import nbformat


def code_outputs(path, *, counts: bool = False) -> list:
    """Return each code cell's source and outputs (and count, if asked).

    The injected-parameters cell is left out: it names each run's own folder.
    Output metadata (timings) is left out too.
    """
    notebook = nbformat.read(path, as_version=4)
    cells = []
    for cell in notebook.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type != "code" or "injected-parameters" in tags:
            continue
        outputs = [
            {k: v for k, v in o.items() if k != "metadata"} for o in cell.outputs
        ]
        entry = (
            (cell.source, cell.execution_count, outputs)
            if counts
            else (cell.source, outputs)
        )
        cells.append(entry)
    return cells
