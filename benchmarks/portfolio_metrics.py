"""Benchmark of the portfolio metrics: 5,000 accounts and 10 million events.

Run ``python benchmarks/portfolio_metrics.py [--accounts N] [--events N]``.

A child process builds the data and writes it as Parquet to a temporary
folder: every table of the demo company (``cskit.demo.make_demo_company``)
except its events, and ``--events`` product events drawn with numpy in
canonical form (uniform over the demo's contacts and its 18 months, 5 %
without a contact, a third of them build events). The benchmark process then
reads the Parquet files and prints, each timed twice and the faster kept:

1. a plain DuckDB query of monthly active developers over the events
   DataFrame (``count(DISTINCT contact_id)`` per account and calendar month);
2. the MAD part of ``portfolio_metrics`` (the trailing MAD of every account,
   in its timezone, developers only) and its ratio to the plain query;
3. the whole ``portfolio_metrics`` (every metric of ``METRICS``);
4. the benchmark process's peak resident memory (the data generation ran in
   the child, so it is not counted; reading the data is).

Wall times on a shared machine depend on the load, so the CPU time (every
thread of the process) and the load average are printed too. Targets: MAD
within 1.5x of the plain query, the whole portfolio under 30 s
on 2 cores, peak memory under 3 GB.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from cskit import metrics
from cskit.metrics._core import context

_EVENTS = ["login", "query_run", "page_view", "app_edit", "app_create", "app_publish"]
_WEIGHTS = [0.3, 0.25, 0.12, 0.25, 0.05, 0.03]

_PLAIN_MAD = """
SELECT account_id, date_trunc('month', ts) AS month,
       count(DISTINCT contact_id) AS mad
FROM events
WHERE contact_id IS NOT NULL
GROUP BY ALL
"""


def _events(contacts: pd.DataFrame, count: int, seed: int) -> pd.DataFrame:
    """Draw ``count`` canonical events over the contacts and 18 months."""
    from cskit.demo import DEMO_END

    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(contacts), count)
    end = pd.Timestamp(DEMO_END + timedelta(days=1), tz="UTC").as_unit("us")
    start = end - pd.DateOffset(months=18)
    first, last = start.value // 1000, end.value // 1000  # ns to us
    micros = first + rng.integers(0, last - first, count)
    contact = contacts["contact_id"].take(pick).reset_index(drop=True)
    return pd.DataFrame(
        {
            "ts": pd.to_datetime(micros, unit="us", utc=True),
            "account_id": contacts["account_id"].take(pick).reset_index(drop=True),
            "contact_id": contact.where(rng.random(count) > 0.05),
            "event": pd.array(rng.choice(_EVENTS, count, p=_WEIGHTS), dtype="str"),
            "app_id": pd.array([None] * count, dtype="str"),
            "count": pd.array(np.ones(count, dtype="int64"), dtype="Int64"),
        }
    )


def _generate(folder: str, accounts: int, events: int, seed: int) -> None:
    """Write the benchmark tables to ``folder`` (run in a child process)."""
    from cskit.demo import make_demo_company

    started = time.perf_counter()
    tables = make_demo_company(accounts=accounts, seed=seed)
    tables.pop("ground_truth", None)
    tables["events"] = _events(tables["contacts"], events, seed)
    for name, table in tables.items():
        table.to_parquet(Path(folder) / f"{name}.parquet", index=False)
    took = time.perf_counter() - started
    sys.stdout.write(f"data generated in {took:.0f} s (not counted)\n")


def _read(folder: Path) -> dict[str, pd.DataFrame]:
    tables = {path.stem: pd.read_parquet(path) for path in folder.glob("*.parquet")}
    for name, table in tables.items():
        for column in table.columns:
            if isinstance(table[column].dtype, pd.DatetimeTZDtype):
                table[column] = table[column].dt.tz_convert("UTC")
        tables[name] = table
    return tables


def _best(function, repeat: int = 2) -> tuple[float, float, object]:
    """Return the faster wall time, its CPU time (all threads) and the result."""
    runs, result = [], None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        runs.append((time.perf_counter() - wall, time.process_time() - cpu))
    wall, cpu = min(runs)
    return wall, cpu, result


def _plain_mad(events: pd.DataFrame) -> pd.DataFrame:
    with duckdb.connect() as con:
        con.register("events", events)
        return con.sql(_PLAIN_MAD).df()


def _mad_part(tables: dict, as_of) -> pd.DataFrame:
    ctx = context(tables, as_of, metrics.MetricSettings(), single=False)
    return metrics._FRAMES["mad"](ctx)


def main(argv: list[str] | None = None) -> int:
    """Generate the data in a child process, then time and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=5000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as folder:
        child = multiprocessing.get_context("spawn").Process(
            target=_generate, args=(folder, args.accounts, args.events, args.seed)
        )
        child.start()
        child.join()
        if child.exitcode != 0:
            return 1
        tables = _read(Path(folder))

    events = tables["events"]
    as_of = (events["ts"].max() + pd.Timedelta(days=1)).date()
    plain, plain_cpu, _ = _best(lambda: _plain_mad(events))
    mad, mad_cpu, _ = _best(lambda: _mad_part(tables, as_of))
    run = _best(lambda: metrics.portfolio_metrics(tables, as_of=as_of))
    whole, whole_cpu, table = run
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2

    lines = [
        f"{len(tables['accounts']):,} accounts, {len(events):,} events, "
        f"as of {as_of}, {len(metrics.METRICS)} metrics",
        f"load average (1 min) at the end  {os.getloadavg()[0]:6.2f}",
        "                                   wall    CPU (all threads)",
        f"plain DuckDB MAD by month        {plain:6.2f} s {plain_cpu:6.2f} s",
        f"portfolio MAD (trailing, tz)     {mad:6.2f} s {mad_cpu:6.2f} s  ratio "
        f"{mad / plain:4.2f} (target <= 1.5)",
        f"whole portfolio_metrics          {whole:6.2f} s {whole_cpu:6.2f} s  "
        "(target < 30 s)",
        f"peak resident memory             {peak:6.2f} GB (target < 3 GB)",
        f"rows in the portfolio table      {len(table):,}",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
