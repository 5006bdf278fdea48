"""The papermill runner: a small batch on the demo workspace, and failures."""

from pathlib import Path

import nbformat
import pandas as pd
import pytest

from cskit.exceptions import ConfigurationError, InvalidInputError
from cskit.runner import notebook_path, parse_as_of, run_batch
from tests.notebook_outputs import code_outputs

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def small_batch(tmp_path_factory, demo_workspace):
    out = tmp_path_factory.mktemp("reports")
    result = run_batch(
        workspace=demo_workspace,
        accounts=["0001", "0007"],
        jobs=2,
        out_root=out,
        run="small",
    )
    return result


def test_batch_writes_every_output(small_batch):
    run_dir = small_batch.run_dir
    assert [r.account_id for r in small_batch.runs] == ["0001", "0007"]
    assert not small_batch.failed
    for account in ("0001", "0007"):
        assert (run_dir / "accounts" / f"{account}.ipynb").is_file()
        assert (run_dir / "accounts" / f"{account}.html").is_file()
    for name in (
        "portfolio.csv",
        "portfolio.parquet",
        "index.html",
        "run_log.csv",
        "portfolio.html",
    ):
        assert (run_dir / name).is_file(), name
    assert not list(run_dir.rglob("*.partial"))


def test_portfolio_table_keeps_ids_and_covers_every_account(
    small_batch, demo_workspace
):
    from cskit.workspace import Workspace

    table = pd.read_csv(
        small_batch.run_dir / "portfolio.csv", dtype={"account_id": str}
    )
    with Workspace(demo_workspace) as ws:
        assert table["account_id"].tolist() == ws.account_ids()
    assert set(table.loc[table["report_status"].notna(), "account_id"]) == {
        "0001",
        "0007",
    }
    assert {"nrr", "nrr_status", "nrr_reason"} <= set(table.columns)
    parquet = pd.read_parquet(small_batch.run_dir / "portfolio.parquet")
    assert parquet["account_id"].tolist() == table["account_id"].tolist()


def test_reports_are_not_readable_by_other_users(small_batch):
    import stat

    for path in [small_batch.run_dir, *small_batch.run_dir.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o007 == 0, f"{path} is {oct(mode)}"


def test_html_report_shows_no_code(small_batch):
    page = (small_batch.run_dir / "accounts" / "0007.html").read_text()
    assert "load_account_report" not in page
    assert "Headline KPIs" in page
    assert "data:image/png;base64" in page


def test_index_links_every_report(small_batch):
    index = (small_batch.run_dir / "index.html").read_text()
    assert 'href="accounts/0001.html"' in index
    assert 'href="portfolio.html"' in index


FAILING = """
import nbformat
nb = nbformat.v4.new_notebook()
params = nbformat.v4.new_code_cell("account_id = None\\nworkspace = None\\n"
                                   "as_of = None\\nparams_file = None")
params.metadata["tags"] = ["parameters"]
boom = nbformat.v4.new_code_cell(
    "if account_id == '0002':\\n    raise RuntimeError('no data for ' + account_id)\\n"
    "print('fine', account_id)")
nb.cells = [params, boom]
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                              "language": "python"}
"""


def test_failing_account_does_not_stop_the_others(tmp_path, demo_workspace):
    namespace = {}
    exec(FAILING, namespace)
    workbook = tmp_path / "flaky.ipynb"
    nbformat.write(namespace["nb"], workbook)
    result = run_batch(
        workspace=demo_workspace,
        notebook=str(workbook),
        accounts=["0001", "0002"],
        jobs=1,
        out_root=tmp_path,
        run="flaky",
        progress=False,
    )
    assert [r.status for r in result.runs] == ["ok", "failed"]
    failed = result.failed[0]
    assert "RuntimeError" in failed.error and "no data for 0002" in failed.error
    assert Path(failed.notebook).is_file()
    log = pd.read_csv(result.run_dir / "run_log.csv", dtype={"account_id": str})
    assert log.set_index("account_id").loc["0002", "status"] == "failed"
    assert "0002" in (result.run_dir / "index.html").read_text()


def test_unknown_account_is_refused_before_any_kernel(tmp_path, demo_workspace):
    with pytest.raises(InvalidInputError, match=r"\['9999'\] not in the workspace"):
        run_batch(workspace=demo_workspace, accounts=["9999"], out_root=tmp_path)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("value", ["2026-13-01", "yesterday", "01/10/2026"])
def test_impossible_as_of_is_refused(value):
    with pytest.raises(InvalidInputError, match="YYYY-MM-DD"):
        parse_as_of(value)


def test_unknown_notebook_lists_the_known_ones():
    with pytest.raises(ConfigurationError, match="account_health"):
        notebook_path("acount_health")


def test_killed_batch_resumes_to_the_same_outputs(tmp_path, demo_workspace):
    import os
    import signal
    import subprocess
    import sys
    import time

    accounts = ["0001", "0002", "0003", "0004", "0005"]
    command = [
        sys.executable,
        "-m",
        "cskit",
        "batch",
        "--workspace",
        str(demo_workspace),
        "--accounts",
        ",".join(accounts),
        "--jobs",
        "1",
        "--out",
        str(tmp_path),
        "--no-progress",
    ]
    process = subprocess.Popen(
        [*command, "--run", "killed"],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    pages = tmp_path / "killed" / "accounts"
    deadline = time.monotonic() + 240
    while len(list(pages.glob("*.html"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    done_before = sorted(p.stem for p in pages.glob("*.html"))
    assert 2 <= len(done_before) < len(accounts)

    resumed = subprocess.run(
        [*command, "--resume", "killed"], capture_output=True, text=True, timeout=600
    )
    assert resumed.returncode == 0, resumed.stderr
    whole = subprocess.run(
        [*command, "--run", "whole"], capture_output=True, text=True, timeout=600
    )
    assert whole.returncode == 0, whole.stderr
    for account in accounts:
        name = f"accounts/{account}.ipynb"
        assert code_outputs(tmp_path / "killed" / name) == code_outputs(
            tmp_path / "whole" / name
        )
    assert not list((tmp_path / "killed").rglob("*partial*"))
    log = pd.read_csv(tmp_path / "killed" / "run_log.csv", dtype={"account_id": str})
    assert log.loc[log["account_id"].isin(accounts), "status"].eq("ok").all()
