"""Batch throughput: cskit batch against the naive papermill-then-nbconvert loop.

Builds a demo workspace of ``--accounts`` accounts (not timed), then on it:

(a) the naive loop: for each account of a sample, the ``papermill`` command
    line, then the ``jupyter nbconvert --to html --no-input`` command line,
    one after the other;
(b) ``cskit batch`` for every account with ``--jobs`` workers (HTML pages,
    portfolio table and index included).

It prints seconds per account for each, their ratio, and the peak resident
memory of this process and of its largest child.

    .venv/bin/python benchmarks/batch_throughput.py --accounts 200 --jobs 2
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def build_workspace(folder: Path, accounts: int) -> Path:
    from cskit.demo import write_demo_company
    from cskit.enrich import enrich_workspace
    from cskit.ingest import ingest

    write_demo_company(folder / "data", accounts=accounts)
    workspace = folder / "workspace.duckdb"
    ingest(folder / "data", workspace=workspace)
    enrich_workspace(workspace)
    return workspace


def naive_loop(workspace: Path, accounts: list[str], out: Path) -> float:
    out.mkdir(parents=True, exist_ok=True)
    notebook = ROOT / "notebooks" / "account_health.ipynb"
    started = time.perf_counter()
    for account in accounts:
        executed = out / f"{account}.ipynb"
        subprocess.run(
            [
                str(BIN / "papermill"),
                str(notebook),
                str(executed),
                "-p",
                "account_id",
                account,
                "-p",
                "workspace",
                str(workspace),
                "--no-progress-bar",
            ],
            check=True,
            capture_output=True,
            cwd=ROOT / "notebooks",
        )
        subprocess.run(
            [
                str(BIN / "jupyter"),
                "nbconvert",
                "--to",
                "html",
                "--no-input",
                str(executed),
            ],
            check=True,
            capture_output=True,
        )
    return (time.perf_counter() - started) / len(accounts)


def cskit_batch(workspace: Path, out: Path, jobs: int) -> tuple[float, int]:
    started = time.perf_counter()
    done = subprocess.run(
        [
            str(BIN / "cskit"),
            "batch",
            "--workspace",
            str(workspace),
            "--jobs",
            str(jobs),
            "--out",
            str(out),
            "--run",
            "bench",
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        print(done.stderr[-2000:], file=sys.stderr)
    reports = len(list((out / "bench" / "accounts").glob("*.html")))
    return seconds, reports


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--naive-sample",
        type=int,
        default=10,
        help="accounts run by the naive loop (it is slow)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="cskit-bench-") as tmp:
        folder = Path(tmp)
        workspace = build_workspace(folder, args.accounts)
        from cskit.workspace import Workspace

        with Workspace(workspace) as ws:
            ids = ws.account_ids()
        naive = naive_loop(workspace, ids[: args.naive_sample], folder / "naive")
        total, reports = cskit_batch(workspace, folder / "reports", args.jobs)

    per_account = total / max(reports, 1)
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"accounts: {args.accounts}, jobs: {args.jobs}")
    print(
        f"naive loop (papermill + nbconvert CLI), {args.naive_sample} accounts: "
        f"{naive:.2f} s per account"
    )
    print(
        f"cskit batch, {reports} reports + portfolio: {total:.1f} s total, "
        f"{per_account:.3f} s per account amortised"
    )
    print(f"speed-up: {naive / per_account:.1f}x")
    print(f"peak RSS: this process {own:.0f} MB, largest child {children:.0f} MB")


if __name__ == "__main__":
    main()
