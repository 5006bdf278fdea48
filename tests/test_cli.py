"""The command line: exit codes, messages on stderr, a report for one account."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CSKIT = [sys.executable, "-m", "cskit"]


def run(*args, env_workspace=None, cwd=ROOT):
    import os

    env = dict(os.environ)
    if env_workspace is not None:
        env["CSKIT_WORKSPACE"] = str(env_workspace)
    return subprocess.run(
        [*CSKIT, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=300
    )


def test_params_lists_the_workbook_parameters():
    done = run("params", "account_health")
    assert done.returncode == 0
    assert "account_id" in done.stdout and "as_of" in done.stdout


def test_missing_workspace_exits_4_with_advice(tmp_path):
    done = run("batch", "--workspace", str(tmp_path / "none.duckdb"))
    assert done.returncode == 4
    assert "none.duckdb" in done.stderr


def test_bad_as_of_exits_3(demo_workspace):
    done = run("batch", "--as-of", "2026-02-30", env_workspace=demo_workspace)
    assert done.returncode == 3
    assert "YYYY-MM-DD" in done.stderr


def test_usage_error_exits_2():
    done = run("batch", "--jobs", "zero")
    assert done.returncode == 2


@pytest.mark.slow
def test_report_for_one_account(tmp_path, demo_workspace):
    done = run("report", "0003", "--out", str(tmp_path), env_workspace=demo_workspace)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "0003.html").is_file()


@pytest.mark.slow
def test_backtest_prints_the_figures(demo_workspace):
    done = run(
        "backtest", "--months", "3", "--bootstrap", "5", env_workspace=demo_workspace
    )
    assert done.returncode == 0, done.stderr
    assert "health score" in done.stdout and "auc" in done.stdout
    assert "share_red_or_yellow" in done.stdout


@pytest.mark.slow
def test_relative_workspace_and_output_paths_work(tmp_path, demo_workspace):
    import shutil

    shutil.copy(demo_workspace, tmp_path / "ws.duckdb")
    done = run(
        "batch",
        "--workspace",
        "ws.duckdb",
        "--accounts",
        "0002",
        "--out",
        "out",
        "--run",
        "rel",
        "--no-progress",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "rel" / "accounts" / "0002.html").is_file()
