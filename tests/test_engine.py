"""The warm-kernel engine: same outputs as fresh kernels, nothing carried over."""

import nbformat
import pytest

from cskit.runner import run_batch
from tests.notebook_outputs import code_outputs

pytestmark = pytest.mark.slow

ACCOUNTS = ["0001", "0002", "0003"]


def test_warm_kernel_gives_the_notebooks_a_fresh_kernel_gives(tmp_path, demo_workspace):
    warm = run_batch(
        workspace=demo_workspace,
        accounts=ACCOUNTS,
        jobs=1,
        out_root=tmp_path,
        run="warm",
    )
    cold = run_batch(
        workspace=demo_workspace,
        accounts=ACCOUNTS,
        jobs=1,
        out_root=tmp_path,
        run="cold",
        warm=False,
    )
    assert not warm.failed and not cold.failed
    for account in ACCOUNTS:
        name = f"accounts/{account}.ipynb"
        assert code_outputs(warm.run_dir / name, counts=True) == code_outputs(
            cold.run_dir / name, counts=True
        ), account
    assert code_outputs(warm.run_dir / "portfolio.ipynb", counts=True) == code_outputs(
        cold.run_dir / "portfolio.ipynb", counts=True
    )


LEAKY = [
    "account_id = None\nworkspace = None\nas_of = None\nparams_file = None",
    "import os, warnings\nimport pandas as pd\nimport matplotlib\n"
    "print(sorted(k for k in globals() if k.startswith('left_')))\n"
    "print(pd.get_option('display.max_rows'), matplotlib.rcParams['lines.linewidth'])\n"
    "print(os.environ.get('CSKIT_LEFT_OVER'), os.getcwd().endswith('subdir'))\n"
    "print(len([f for f in warnings.filters\n"
    "           if f[2] is UserWarning and f[0] == 'error']))",
    "left_value = account_id\npd.set_option('display.max_rows', 3)\n"
    "matplotlib.rcParams['lines.linewidth'] = 9\nos.environ['CSKIT_LEFT_OVER'] = '1'\n"
    "os.makedirs('subdir', exist_ok=True)\nos.chdir('subdir')\n"
    "warnings.simplefilter('error', UserWarning)",
]


def test_nothing_carries_over_from_one_account_to_the_next(tmp_path, demo_workspace):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in LEAKY]
    notebook.cells[0].metadata["tags"] = ["parameters"]
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = tmp_path / "leaky.ipynb"
    nbformat.write(notebook, path)
    result = run_batch(
        workspace=demo_workspace,
        notebook=str(path),
        accounts=ACCOUNTS,
        jobs=1,
        out_root=tmp_path,
        run="leaky",
    )
    assert not result.failed
    seen = []
    for account in ACCOUNTS:
        executed = nbformat.read(result.run_dir / f"accounts/{account}.ipynb", 4)
        probe = next(c for c in executed.cells if "globals()" in c.source)
        seen.append("".join(o.get("text", "") for o in probe.outputs))
        assert probe.execution_count == 3  # parameters, injected parameters, probe
    first = seen[0].splitlines()
    assert first[0] == "[]" and first[2] == "None False" and first[3] == "0"
    assert first[1] != "3 9"
    assert seen == [seen[0]] * len(ACCOUNTS)
