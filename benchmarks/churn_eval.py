"""Benchmark of the churn model: demo data, two public churn tables, speed.

Run ``python benchmarks/churn_eval.py [--data FOLDER]``. It prints, in one
run:

1. the demo company (1,000 accounts, fixed seed): out-of-time ROC-AUC of
   cskit's model on later snapshots, the ROC-AUC of the planted churn
   propensities (the oracle) on the same snapshots, and their ratio;
2. ``telco-churn-ibm`` and ``saas-churn-pysurvival``: mean ROC-AUC and
   PR-AUC over 5 x 5 repeated stratified CV and the ECE (10 equal-frequency
   bins) of out-of-fold predictions, next to a plain logistic regression
   fitted on the same folds (the same cskit configuration on both tables);
3. the time to fit the model on 100,000 snapshots.

The data folder is ``--data``, else ``$CSKIT_SHARED_DATA``, else
``shared/data`` beside the repository root; absent folders are skipped.
The cross-validation fits run one thread each (many small fits on a shared
machine); the timing run uses two threads.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from threadpoolctl import threadpool_limits

from cskit.churn import (
    ChurnModel,
    build_churn_snapshots,
    churn_table_xy,
    cross_validate_churn,
    training_data,
    validate_churn_model,
)

logger = logging.getLogger("churn_eval")

ROOT = Path(__file__).resolve().parents[1]
DEMO_SEED = 2026
DEMO_ACCOUNTS = 1000
TABLES = {
    "telco-churn-ibm": (
        "Telco-Customer-Churn.csv",
        {"label_col": "Churn", "id_col": "customerID"},
    ),
    "saas-churn-pysurvival": (
        "churn.csv",
        {"label_col": "churned", "drop_cols": ["months_active"]},
    ),
}


def data_folder(option: str | None) -> Path:
    """Return the shared data folder from the option, env or default."""
    if option:
        return Path(option)
    env = os.environ.get("CSKIT_SHARED_DATA")
    return Path(env) if env else ROOT.parent / "shared" / "data"


def demo_benchmark(horizon: int = 90) -> pd.DataFrame:
    """Model vs oracle ROC-AUC on the demo company's later snapshots."""
    from cskit.demo import make_demo_company

    started = time.perf_counter()
    tables = make_demo_company(accounts=DEMO_ACCOUNTS, seed=DEMO_SEED)
    truth = tables.pop("ground_truth")
    generated = time.perf_counter()
    snapshots = build_churn_snapshots(tables, horizons=(horizon,))
    built = time.perf_counter()
    with threadpool_limits(1):
        result = validate_churn_model(snapshots, horizon_days=horizon, n_bootstrap=100)

    scored = result.predictions.merge(
        truth[["account_id", "churn_propensity"]], on="account_id"
    )
    model = roc_auc_score(scored["churned"], scored["cskit"])
    oracle = roc_auc_score(scored["churned"], scored["churn_propensity"])
    logger.info(
        "demo: %d accounts, %d snapshots (generated in %.1f s, snapshots in %.1f s)",
        DEMO_ACCOUNTS,
        len(snapshots),
        generated - started,
        built - generated,
    )
    print(
        f"\n== demo company: {DEMO_ACCOUNTS} accounts, seed {DEMO_SEED}, "
        f"horizon {horizon} d =="
    )
    print(
        f"snapshots {len(snapshots)}, test snapshots {len(scored)}, "
        f"snapshot build {built - generated:.1f} s"
    )
    print(result.metrics.round(4).to_string())
    print(
        f"model ROC-AUC {model:.4f} | oracle ROC-AUC {oracle:.4f} | "
        f"ratio {model / oracle:.3f}"
    )
    return snapshots


def table_benchmark(folder: Path) -> None:
    """5 x 5 repeated stratified CV of cskit and the logistic baseline."""
    for name, (file, options) in TABLES.items():
        path = folder / name / file
        if not path.is_file():
            print(f"\n== {name}: skipped, {path} is absent ==")
            continue
        X, y = churn_table_xy(pd.read_csv(path), **options)
        started = time.perf_counter()
        with threadpool_limits(1):
            result = cross_validate_churn(X, y, n_splits=5, n_repeats=5)
        summary = result["summary"]
        print(
            f"\n== {name}: {len(y)} rows, churn rate {y.mean():.3f}, "
            f"5x5 CV in {time.perf_counter() - started:.0f} s =="
        )
        print(summary.round(4).to_string())
        gap = (
            summary.loc["cskit", "roc_auc_mean"]
            - summary.loc["logistic", "roc_auc_mean"]
        )
        print(f"cskit - logistic ROC-AUC: {gap:+.4f}")


def timing_benchmark(snapshots: pd.DataFrame | None, rows: int = 100_000) -> None:
    """Fit the model on ``rows`` snapshots (demo snapshots resampled)."""
    if snapshots is None:
        print("\n== timing: skipped (no demo snapshots) ==")
        return
    X, y, _ = training_data(snapshots, horizon_days=90)
    index = np.random.default_rng(0).integers(0, len(y), rows)
    X, y = X.iloc[index].reset_index(drop=True), y[index]
    load = os.getloadavg()
    with threadpool_limits(2):
        started, cpu = time.perf_counter(), time.process_time()
        ChurnModel(random_state=0).fit(X, y)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    after = os.getloadavg()
    print(
        f"\n== timing: fit on {rows} snapshots x {X.shape[1]} features: "
        f"{elapsed:.1f} s wall, {cpu:.1f} s CPU (2 threads; {os.cpu_count()} cores "
        f"shared, load average {load[0]:.1f} before, {after[0]:.1f} after) =="
    )


def main(argv: list[str] | None = None) -> int:
    """Run every benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="the shared data folder")
    parser.add_argument("--skip-demo", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    snapshots = None if args.skip_demo else demo_benchmark()
    table_benchmark(data_folder(args.data))
    timing_benchmark(snapshots)
    return 0


if __name__ == "__main__":
    sys.exit(main())
