"""Redraw time of the explore dashboard, per interaction, on the demo company.

Opens an :class:`cskit.explore.ExploreSession` on the demo workspace (the
tests' one, built if needed, or ``--workspace``), then drives the
:class:`cskit.explore.Explorer` controls the way an analyst would and prints,
for each kind of interaction, the wall-clock and CPU seconds of the redraw:

- a new account (first visit: slicing, Pulse, every section drawn);
- an account seen before (cached report and drawings);
- another trend metric, another window;
- compare two accounts;
- a new as-of date (that account analysed alone at that date, once);
- the Account Mapper, drawn last, reported as its own column.

"seconds" is the time until every section but the Account Mapper is drawn;
"with mapper" adds the org chart. The machine's load average is printed,
since a busy machine stretches wall-clock time.

    .venv/bin/python benchmarks/explore_redraw.py [--workspace PATH] [--accounts 12]
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _timed(explorer, control: str, value) -> dict:
    cpu = time.process_time()
    explorer.controls[control].value = value
    row = dict(explorer.timings[-1])
    row["cpu_seconds"] = round(time.process_time() - cpu, 3)
    return row


def _interactions(explorer, accounts: list[str], as_of: datetime.date) -> list:
    rows = []
    for account in accounts[1:]:
        rows.append(("new account", _timed(explorer, "account", account)))
    for account in accounts[:3]:
        rows.append(("account seen before", _timed(explorer, "account", account)))
    for metric in ("mad", "tickets", "sentiment", "mrr", "events"):
        rows.append(("trend metric", _timed(explorer, "metric", metric)))
    for window in (91, 365, 182):
        rows.append(("trend window", _timed(explorer, "window", window)))
    explorer.controls["account_b"].value = accounts[1]
    rows.append(("compare two accounts", _timed(explorer, "mode", "accounts")))
    rows.append(("back to one account", _timed(explorer, "mode", "one")))
    earlier = as_of - datetime.timedelta(days=60)
    rows.append(("new as-of date", _timed(explorer, "as_of", earlier)))
    rows.append(("as-of date seen before", _timed(explorer, "as_of", as_of)))
    return rows


def main() -> None:
    """Run the interactions and print the redraw times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", type=Path, default=None)
    parser.add_argument("--accounts", type=int, default=12)
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT))

    import pandas as pd

    from cskit import explore
    from tests.demo_workspace import ensure_demo_workspace

    workspace = options.workspace or ensure_demo_workspace()
    session = explore.ExploreSession(workspace=workspace)
    accounts = list(session.accounts["account_id"].head(options.accounts))
    explorer = explore.Explorer(session, account_id=accounts[0])
    rows = _interactions(explorer, accounts, session.as_of)

    table = pd.DataFrame([{"interaction": kind, **row} for kind, row in rows])
    summary = table.groupby("interaction", sort=False).agg(
        redraws=("seconds", "size"),
        median_s=("seconds", "median"),
        max_s=("seconds", "max"),
        median_cpu_s=("cpu_seconds", "median"),
        median_with_mapper_s=("with_mapper_seconds", "median"),
    )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    sys.stdout.write(
        f"workspace {workspace}: {len(session.accounts)} accounts; session read "
        f"and analysed in {session.load_seconds:.1f} s; first draw "
        f"{explorer.timings[0]['seconds']:.2f} s; load average {load:.1f} "
        f"on {os.cpu_count()} CPUs\n\n{summary.round(3).to_string()}\n"
    )


if __name__ == "__main__":
    main()
