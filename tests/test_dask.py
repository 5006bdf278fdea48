"""Batches on a Dask cluster (a LocalCluster on loopback) equal local runs."""

import os

import pytest

from cskit.runner import run_batch
from tests.notebook_outputs import code_outputs

pytestmark = pytest.mark.slow
distributed = pytest.importorskip("distributed")

ACCOUNTS = ["0001", "0002", "0003", "0004"]


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        yield cluster


def test_dask_batch_equals_the_local_batch(tmp_path, demo_workspace, cluster):
    on_dask = run_batch(
        workspace=demo_workspace,
        accounts=ACCOUNTS,
        out_root=tmp_path,
        run="dask",
        scheduler=cluster.scheduler_address,
    )
    run_batch(
        workspace=demo_workspace,
        accounts=ACCOUNTS,
        out_root=tmp_path,
        run="local",
        jobs=2,
    )
    assert [r.status for r in on_dask.runs] == ["ok"] * len(ACCOUNTS)
    for account in ACCOUNTS:
        name = f"accounts/{account}.ipynb"
        assert code_outputs(tmp_path / "dask" / name) == code_outputs(
            tmp_path / "local" / name
        )
    assert (tmp_path / "dask" / "portfolio.csv").read_text() == (
        tmp_path / "local" / "portfolio.csv"
    ).read_text()


def test_a_killed_worker_has_its_accounts_retried(tmp_path, demo_workspace, cluster):
    import threading

    from distributed import Client

    client = Client(cluster.scheduler_address)
    victim = sorted(client.scheduler_info()["workers"])[0]

    def kill_soon():
        # Kill one worker process while the batch is running on it.
        import time

        time.sleep(4)
        client.run(lambda: os._exit(1), workers=[victim], wait=False)

    threading.Thread(target=kill_soon, daemon=True).start()
    result = run_batch(
        workspace=demo_workspace,
        accounts=ACCOUNTS,
        out_root=tmp_path,
        run="killed",
        scheduler=cluster.scheduler_address,
    )
    client.close()
    assert [r.status for r in result.runs] == ["ok"] * len(ACCOUNTS)
    assert all((tmp_path / "killed" / f"accounts/{a}.html").is_file() for a in ACCOUNTS)
