"""Regenerate the nbval reference notebooks: ``make references``.

Each workbook of ``notebooks/`` is executed with papermill on the demo
workspace with the fixed parameters below, and written beside this file.
nbval then re-runs those references in CI and compares every output.
"""

from __future__ import annotations

import os
from pathlib import Path

import papermill

from tests.demo_workspace import ROOT, ensure_demo_workspace

HERE = Path(__file__).resolve().parent

# Fixed parameters per workbook; the workspace comes from CSKIT_WORKSPACE.
REFERENCES = {
    "account_health": {"account_id": "0007"},
    "portfolio": {},
    "churn_model": {},
    "explore": {},
    "qbr": {"account_id": "0007"},
}


def main() -> None:
    """Execute every workbook into its reference copy."""
    os.environ["CSKIT_WORKSPACE"] = str(ensure_demo_workspace())
    for name, parameters in REFERENCES.items():
        papermill.execute_notebook(
            str(ROOT / "notebooks" / f"{name}.ipynb"),
            str(HERE / f"{name}.ipynb"),
            parameters=parameters,
            kernel_name="python3",
            cwd=str(HERE),
            progress_bar=False,
        )


if __name__ == "__main__":
    main()
