"""The ``cskit`` command line: a thin layer over the library.

Exit codes: 0 success; 1 an unexpected error; 2 a usage error (wrong
option or argument); 3 bad input data or configuration; 4 no usable
workspace; 5 a batch in which one or more accounts failed (the others
completed).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from cskit.exceptions import CskitError, InvalidInputError, WorkspaceError

__all__ = ["main", "cli"]

EXIT_BAD_INPUT = 3
EXIT_NO_WORKSPACE = 4
EXIT_ACCOUNTS_FAILED = 5

logger = logging.getLogger("cskit")

_workspace_option = click.option(
    "--workspace",
    type=click.Path(path_type=Path),
    default=None,
    help="Workspace file; default: $CSKIT_WORKSPACE, else the one `make demo` built.",
)
_as_of_option = click.option(
    "--as-of",
    default=None,
    help="As-of date, YYYY-MM-DD; default: the day after the workspace's last event.",
)
_params_option = click.option(
    "--params",
    "params_file",
    type=click.Path(path_type=Path),
    default=None,
    help="Parameter file; default: params/defaults.yaml.",
)


@click.group()
@click.option(
    "--log-level",
    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
    default="WARNING",
    show_default=True,
)
@click.version_option(package_name="cskit")
def cli(log_level: str) -> None:
    """Customer-success health reports from your own exports."""
    logging.basicConfig(level=log_level.upper(), format="%(levelname)s %(message)s")
    logging.captureWarnings(True)


@cli.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="Folder for the demo company's CSV files and its workspace.",
)
@click.option(
    "--accounts", type=click.IntRange(1, 100_000), default=60, show_default=True
)
@click.option("--seed", type=int, default=7, show_default=True)
@click.option(
    "--set-default",
    is_flag=True,
    help="Make the demo workspace the default one of this folder.",
)
def demo(out: Path, accounts: int, seed: int, set_default: bool) -> None:
    """Write the synthetic demo company and ingest it into a workspace."""
    from cskit.demo import write_demo_company
    from cskit.workspace import set_default_workspace

    data = out / "data"
    write_demo_company(data, accounts=accounts, seed=seed)
    report = _ingest_and_enrich(data, out / "workspace.duckdb", mapping=None)
    click.echo(f"demo company: {accounts} accounts in {data}")
    click.echo(f"workspace: {report.workspace}")
    if set_default:
        pointer = set_default_workspace(report.workspace, root=Path.cwd())
        click.echo(f"default workspace set in {pointer}")


@cli.command(name="ingest")
@click.argument("source", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option(
    "--mapping",
    default=None,
    help="Mapping file, or a shipped mapping: canonical, ravenstack.",
)
@click.option(
    "--workspace",
    type=click.Path(path_type=Path),
    required=True,
    help="Workspace file to write (replaced if it exists).",
)
@click.option(
    "--set-default",
    is_flag=True,
    help="Make this workspace the default one of this folder.",
)
def ingest_command(
    source: Path, mapping: str | None, workspace: Path, set_default: bool
) -> None:
    """Load a folder of CSV or Parquet exports into a workspace."""
    from cskit.workspace import set_default_workspace

    report = _ingest_and_enrich(source, workspace, mapping=mapping)
    for table, rows in sorted(report.tables.items()):
        click.echo(f"{table:16} {rows:>10,} rows")
    for table, reason in sorted(report.missing.items()):
        click.echo(f"{table:16} not available: {reason}")
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if set_default:
        set_default_workspace(report.workspace, root=Path.cwd())


def _ingest_and_enrich(source: Path, workspace: Path, *, mapping):
    """Ingest, keep the derived tables that must survive, recompute the rest."""
    from cskit.enrich import carried_over, enrich_workspace, restore
    from cskit.ingest import ingest

    kept = carried_over(workspace)
    report = ingest(source, workspace=workspace, mapping=mapping)
    restore(report.workspace, kept)
    enrich_workspace(report.workspace)
    return report


@cli.command()
@_workspace_option
def enrich(workspace) -> None:
    """Score the workspace's texts and fit its feedback themes again."""
    from cskit.enrich import enrich_workspace
    from cskit.workspace import resolve_workspace

    counts = enrich_workspace(resolve_workspace(workspace))
    for name, rows in counts.items():
        click.echo(f"{name:16} {rows:>10,} rows")


@cli.command()
@click.argument("account_id")
@_workspace_option
@_as_of_option
@_params_option
@click.option("--notebook", default="account_health", show_default=True)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("reports/single"),
    show_default=True,
)
def report(account_id, workspace, as_of, params_file, notebook, out) -> None:
    """Run a workbook for one account."""
    from cskit.runner import run_account

    run = run_account(
        account_id,
        workspace=workspace,
        as_of=as_of,
        notebook=notebook,
        out_dir=out,
        params_file=params_file,
    )
    click.echo(f"{run.account_id}: {run.status} -> {run.html or run.notebook}")
    if run.status != "ok":
        click.echo(
            f"error: {run.error} (executed notebook kept: {run.notebook})", err=True
        )
        sys.exit(EXIT_ACCOUNTS_FAILED)


@cli.command()
@_workspace_option
@_as_of_option
@_params_option
@click.option("--notebook", default="account_health", show_default=True)
@click.option(
    "--accounts",
    default=None,
    help="Comma-separated account ids; default: every account.",
)
@click.option("--jobs", type=click.IntRange(1, 64), default=2, show_default=True)
@click.option(
    "--run",
    "run_name",
    default=None,
    help="Run folder name; default: <notebook>-<as-of>.",
)
@click.option(
    "--out", type=click.Path(path_type=Path), default=Path("reports"), show_default=True
)
@click.option("--progress/--no-progress", default=True, show_default=True)
@click.option(
    "--resume",
    "resume_run",
    default=None,
    metavar="RUN",
    help="Complete the run folder RUN: redo only accounts whose outputs "
    "are missing, incomplete or failed.",
)
@click.option(
    "--cell-timeout",
    type=click.FloatRange(min=1),
    default=600,
    show_default=True,
    help="Seconds a cell may run before the account fails.",
)
@click.option(
    "--fresh-kernels",
    is_flag=True,
    help="Start a new kernel for every account instead of reusing one.",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="Run the accounts on a Dask cluster, e.g. tcp://host:8786.",
)
@click.option(
    "--due",
    is_flag=True,
    help="Only the accounts with a QBR step due (as `cskit qbr due` lists them).",
)
def batch(
    workspace,
    as_of,
    params_file,
    notebook,
    accounts,
    jobs,
    run_name,
    out,
    progress,
    resume_run,
    cell_timeout,
    fresh_kernels,
    scheduler,
    due,
) -> None:
    """Run a workbook for every account (or those named) and build the index."""
    from cskit.runner import run_batch

    chosen = [a.strip() for a in accounts.split(",") if a.strip()] if accounts else None
    if due:
        chosen = _due_accounts(workspace, as_of, params_file, chosen)
        if not chosen:
            click.echo("no account has a QBR step due; nothing to run")
            return
    if resume_run and not (out / resume_run).is_dir():
        raise click.BadParameter(
            f"no run folder {out / resume_run}", param_hint="--resume"
        )
    result = run_batch(
        workspace=workspace,
        notebook=notebook,
        accounts=chosen,
        as_of=as_of,
        jobs=jobs,
        out_root=out,
        run=resume_run or run_name,
        params_file=params_file,
        progress=progress,
        cell_timeout=cell_timeout,
        warm=not fresh_kernels,
        resume=bool(resume_run),
        scheduler=scheduler,
    )
    done = len(result.runs) - len(result.failed)
    click.echo(f"{done} of {len(result.runs)} accounts reported in {result.run_dir}")
    click.echo(f"index: {result.run_dir / 'index.html'}")
    for run in result.failed:
        click.echo(
            f"failed {run.account_id}: {run.error} (see {run.notebook})", err=True
        )
    if result.failed:
        sys.exit(EXIT_ACCOUNTS_FAILED)


def _due_accounts(workspace, as_of, params_file, chosen) -> list[str]:
    """Return the accounts with a QBR step due, among those chosen."""
    from cskit.qbr import load_due_qbrs

    due = load_due_qbrs(workspace=workspace, as_of=as_of, params_file=params_file)
    ids = list(due["account_id"])
    return ids if chosen is None else [a for a in ids if a in set(chosen)]


@cli.group()
def qbr() -> None:
    """Plan Quarterly Business Reviews."""


@qbr.command(name="due")
@_workspace_option
@_as_of_option
@_params_option
@click.option(
    "--within",
    default=None,
    metavar="DAYS",
    help="Window ahead, e.g. 30d or 4w; default: qbr.due_within_days (30).",
)
def qbr_due(workspace, as_of, params_file, within) -> None:
    """List the accounts with a QBR step due, and that step."""
    from cskit.qbr import load_due_qbrs, parse_days

    days = None if within is None else parse_days(within)
    due = load_due_qbrs(
        workspace=workspace, as_of=as_of, params_file=params_file, within_days=days
    )
    if due.empty:
        click.echo("no account has a QBR step due")
        return
    shown = due.assign(
        **{
            column: due[column].dt.strftime("%Y-%m-%d").fillna("")
            for column in ["qbr_date", "renewal_date", "step_date"]
        }
    )
    click.echo(shown.fillna("").to_string(index=False))


@cli.command()
@_workspace_option
@click.option(
    "--months",
    type=click.IntRange(1, 120),
    default=9,
    show_default=True,
    help="Monthly as-of dates scored, ending 90 days before the data ends.",
)
@click.option(
    "--bootstrap",
    type=click.IntRange(0, 10_000),
    default=200,
    show_default=True,
    help="Bootstrap resamples for the intervals.",
)
def backtest(workspace, months: int, bootstrap: int) -> None:
    """Check how well health scores and risk levels predicted churn."""
    import pandas as pd

    from cskit import health
    from cskit.workspace import Workspace, resolve_workspace

    with Workspace(resolve_workspace(workspace)) as ws:
        tables = ws.portfolio_tables()
        end = pd.Timestamp(ws.default_as_of())
    last = (end - pd.Timedelta(days=90)).to_period("M").to_timestamp()
    dates = list(pd.date_range(end=last, periods=months, freq="MS"))
    result = health.backtest(tables, as_of_dates=dates, n_boot=bootstrap)
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        click.echo(result.summary.round(3).to_string(index=False))
        click.echo("")
        click.echo(result.early_warning.round(3).to_string(index=False))


@cli.command()
@_workspace_option
@click.option("--port", type=click.IntRange(1, 65535), default=None)
@click.option("--no-browser", is_flag=True, help="Do not open a browser window.")
def lab(workspace, port, no_browser) -> None:
    """Open the workbooks in JupyterLab, with the workspace ready."""
    from cskit.explore import launch_lab

    sys.exit(launch_lab(workspace=workspace, port=port, open_browser=not no_browser))


@cli.command(name="params")
@click.argument("notebook", default="account_health")
def params_command(notebook: str) -> None:
    """List a workbook's parameters, their defaults and meaning."""
    import papermill

    from cskit.runner import notebook_path

    found = papermill.inspect_notebook(str(notebook_path(notebook)))
    for name, spec in found.items():
        help_text = f"  # {spec['help']}" if spec.get("help") else ""
        click.echo(
            f"{name}: {spec['inferred_type_name']} = {spec['default']}{help_text}"
        )


def main() -> None:
    """Run the command line, turning cskit errors into messages and exit codes."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except WorkspaceError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_NO_WORKSPACE)
    except (InvalidInputError, CskitError) as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_BAD_INPUT)
