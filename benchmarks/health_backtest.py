"""Backtest of the health score and the risk score against churn outcomes.

Run ``python benchmarks/health_backtest.py [--accounts N] [--boot B]``. It
prints, for the demo company (1,000 accounts, fixed seed) and then for the
RavenStack workspace (``shared/data/ravenstack-saas``, ingested into a
temporary workspace; skipped with a message when absent):

1. ROC-AUC of the health score (lower score = more risk), of the risk level
   (Red > Yellow > Green) and of the risk points, for churn within 90 and
   180 days of each as-of date, pooled over monthly as-of dates, with 95 %
   bootstrap intervals (accounts resampled);
2. the lift in the top decile (churn rate of the riskiest 10 % over the
   base rate), with its interval;
3. the share of churners that were Red or Yellow at the last as-of date at
   least 90 days before their churn.

The scores use the playbook's default configuration (``params/health.yaml``)
through :func:`cskit.health.backtest`, the same function ``cskit backtest``
offers on a user's own history. Metrics that ``cskit.metrics`` does not
compute yet are filled by small stand-ins below (named in the output), so
the measures and flags that read them are exercised; when the metrics
package provides them, its values are used instead.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from cskit import health, risk

logger = logging.getLogger("health_backtest")

ROOT = Path(__file__).resolve().parents[1]
DEMO_SEED = 2026
DEMO_ACCOUNTS = 1000
DEMO_DATES = pd.date_range("2025-10-01", "2026-06-01", freq="MS")


def _window(frame, column, day, start_days, end_days=0):
    day = pd.Timestamp(day).tz_localize("UTC")
    low = day - pd.Timedelta(days=start_days)
    high = day - pd.Timedelta(days=end_days)
    return frame[(frame[column] >= low) & (frame[column] < high)]


def _usage_drop(tables, day, ids):
    events = tables.get("events")
    if events is None:
        return None
    recent = _window(events, "ts", day, 30).groupby("account_id")["count"].sum()
    before = _window(events, "ts", day, 120, 30).groupby("account_id")["count"].sum()
    recent = recent.reindex(ids, fill_value=0).astype(float)
    before = before.reindex(ids, fill_value=0).astype(float) / 3
    return 100 * (recent - before) / before.where(before > 0)


def _slow_tickets(tables, day, ids):
    tickets = tables.get("tickets")
    if tickets is None:
        return None
    rows = _window(tickets, "created_at", day, 90)
    slow = rows["tags"].map(lambda tags: "slow" in list(tags or []))
    counts = rows[slow.astype(bool)].groupby("account_id").size()
    return counts.reindex(ids, fill_value=0).astype(float)


def _days_silent(tables, day, ids):
    points = tables.get("touchpoints")
    if points is None:
        return None
    rows = _window(points, "ts", day, 3650)
    rows = rows[~(rows["attended"] == 0).fillna(False)]
    last = rows.groupby("account_id")["ts"].max()
    since = pd.Timestamp(day).tz_localize("UTC") - last
    return since.dt.days.reindex(ids).astype(float)


def _inactive_share(tables, day, ids):
    contacts, events = tables.get("contacts"), tables.get("events")
    if contacts is None or events is None:
        return None
    utc = pd.Timestamp(day).tz_localize("UTC")
    devs = contacts[contacts["role"].eq("developer") & ~(contacts["left_at"] < utc)]
    active = _window(events, "ts", day, 14)["contact_id"].unique()
    quiet = ~devs["contact_id"].isin(active)
    share = 100 * quiet.groupby(devs["account_id"]).mean()
    return share.reindex(ids).astype(float)


def _ces(tables, day, ids):
    surveys = tables.get("surveys")
    if surveys is None:
        return None
    rows = _window(surveys, "submitted_at", day, 365)
    rows = rows[rows["kind"].eq("ces")]
    return rows.groupby("account_id")["score"].mean().reindex(ids).astype(float)


STAND_INS = {
    "usage_drop": _usage_drop,
    "slow_tickets": _slow_tickets,
    "days_silent": _days_silent,
    "inactive_developer_share": _inactive_share,
    "ces": _ces,
}


def metrics_with_stand_ins(used: set):
    """Return a metrics function that fills absent announced metrics."""

    def build(tables, day):
        table = risk.signal_table(tables, as_of=day)
        ids = table["account_id"]
        for name, function in STAND_INS.items():
            if name in table:
                continue
            values = function(tables, day, pd.Index(ids))
            if values is None:
                continue
            used.add(name)
            table[name] = values.reindex(ids).to_numpy()
            table[f"{name}_status"] = np.where(
                table[name].notna(), "ok", "not_available"
            )
        return table

    return build


def _report(title: str, result: health.Backtest, used: set) -> None:
    pd.set_option("display.width", 160)
    print(f"\n== {title} ==")
    if used:
        print(f"stand-ins for metrics not yet in cskit.metrics: {sorted(used)}")
    dates = result.snapshots["as_of"]
    print(
        f"as-of dates: {dates.min().date()} .. {dates.max().date()} "
        f"({dates.nunique()}), account snapshots: {len(result.snapshots)}"
    )
    print(result.summary.round(3).to_string(index=False))
    print(result.early_warning.round(1).to_string(index=False))


def run_demo(accounts: int, n_boot: int) -> health.Backtest:
    from cskit.demo import make_demo_company

    tables = make_demo_company(accounts=accounts, seed=DEMO_SEED)
    tables.pop("ground_truth")
    used: set = set()
    result = health.backtest(
        tables,
        as_of_dates=list(DEMO_DATES),
        metrics_fn=metrics_with_stand_ins(used),
        n_boot=n_boot,
        seed=DEMO_SEED,
    )
    _report(f"demo company: {accounts} accounts, seed {DEMO_SEED}", result, used)
    return result


def _ravenstack_dates(tables) -> list:
    events = tables.get("account_events")
    dates = pd.to_datetime(events["date"]) if events is not None else None
    if dates is None or dates.empty:
        return []
    first, last = dates.min(), dates.max()
    start = (first + pd.Timedelta(days=180)).to_period("M").to_timestamp()
    return list(pd.date_range(start, last - pd.Timedelta(days=90), freq="MS"))


def run_ravenstack(folder: Path, n_boot: int) -> health.Backtest | None:
    source = folder / "ravenstack-saas"
    if not source.is_dir():
        print(f"\n== RavenStack: skipped, {source} is absent ==")
        return None
    from cskit.ingest import ingest
    from cskit.workspace import Workspace

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ravenstack.duckdb"
        ingest(source, workspace=path, mapping="ravenstack")
        with Workspace(path) as ws:
            tables = ws.portfolio_tables()
    dates = _ravenstack_dates(tables)
    if not dates:
        print("\n== RavenStack: skipped, no churn or renewal events to date ==")
        return None
    used: set = set()
    result = health.backtest(
        tables,
        as_of_dates=dates,
        metrics_fn=metrics_with_stand_ins(used),
        n_boot=n_boot,
        seed=DEMO_SEED,
    )
    _report("RavenStack (real churn labels)", result, used)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=DEMO_ACCOUNTS)
    parser.add_argument("--boot", type=int, default=200)
    parser.add_argument("--data", type=Path, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    folder = args.data or Path(
        os.environ.get("CSKIT_SHARED_DATA", ROOT.parent / "shared" / "data")
    )
    demo = run_demo(args.accounts, args.boot)
    run_ravenstack(folder, args.boot)

    target = demo.summary.query("score == 'health score' and horizon_days == 180")
    auc, low = float(target["auc"].iloc[0]), float(target["auc_low"].iloc[0])
    met = auc >= 0.80 and low >= 0.75
    print(
        f"\ndemo target (AUC >= 0.80, lower bound >= 0.75 at 180 days): "
        f"{'met' if met else 'NOT met'} (AUC {auc:.3f}, lower {low:.3f})"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
