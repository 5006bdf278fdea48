"""Run the workbooks with papermill for one account or a whole batch.

A batch writes, under ``reports/<run>/``: per account the executed notebook
(``accounts/<id>.ipynb``) and its HTML page without code
(``accounts/<id>.html``); the portfolio workbook and its page; the portfolio
table (``portfolio.csv`` and ``portfolio.parquet``); ``index.html`` linking
everything; ``run_log.csv`` with each account's status, time and error; and
``kernels.log``, what the kernels printed on stderr.

Parameters are checked before any kernel starts. An account whose workbook
fails keeps its executed notebook as the log, is named in the run log and
in the summary, and does not stop the others.

Limitations
-----------
Every account starts a fresh kernel, which costs a few seconds each; the
accounts of a batch are spread over ``jobs`` worker processes.
"""

from __future__ import annotations

import concurrent.futures
import logging
import multiprocessing
import os
import re
import time
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from cskit.exceptions import ConfigurationError, CskitError, InvalidInputError
from cskit.params import load_settings
from cskit.workspace import Workspace, resolve_workspace

__all__ = [
    "AccountRun",
    "BatchResult",
    "notebooks_dir",
    "notebook_path",
    "parse_as_of",
    "run_account",
    "run_batch",
    "export_html",
]

logger = logging.getLogger(__name__)

KERNEL_NAME = "python3"
_RUN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass
class AccountRun:
    """The outcome of one workbook run.

    Attributes
    ----------
    account_id : str
    status : str
        ``ok`` or ``failed``.
    seconds : float
        Wall time of the run, for the run log only (never in a report).
    notebook, html : str
        Paths of the executed notebook and its HTML page, relative to the
        run folder.
    error : str
        What failed, empty when ``status`` is ``ok``.
    """

    account_id: str
    status: str
    seconds: float
    notebook: str
    html: str
    error: str = ""


@dataclass
class BatchResult:
    """The outcome of a batch run."""

    run_dir: Path
    runs: list[AccountRun] = field(default_factory=list)

    @property
    def failed(self) -> list[AccountRun]:
        """Return the runs that failed."""
        return [run for run in self.runs if run.status != "ok"]


def notebooks_dir() -> Path:
    """Return the folder holding the workbooks.

    The ``notebooks/`` folder nearest the working folder (searching upwards),
    else the one beside the installed package.
    """
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "notebooks" / "account_health.ipynb").is_file():
            return folder / "notebooks"
    return Path(__file__).resolve().parents[1] / "notebooks"


def notebook_path(name: str) -> Path:
    """Return the path of the workbook called ``name`` (or of a notebook file).

    Raises
    ------
    ConfigurationError
        When there is no such workbook; the message lists those there are.
    """
    given = Path(name)
    if given.suffix == ".ipynb" and given.is_file():
        return given.resolve()
    folder = notebooks_dir()
    path = folder / f"{name.removesuffix('.ipynb')}.ipynb"
    if not path.is_file():
        known = sorted(p.stem for p in folder.glob("*.ipynb"))
        raise ConfigurationError(
            f"no workbook named {name!r} in {folder}; choose one of {known}"
        )
    return path


def parse_as_of(value: str | date | None) -> date | None:
    """Return ``value`` as a date, refusing anything that is not one.

    Raises
    ------
    InvalidInputError
        For text that is not an ISO date such as ``2026-10-01``.
    """
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as error:
        raise InvalidInputError(
            f"as_of {value!r} is not a date; write it as YYYY-MM-DD, for "
            "example 2026-10-01"
        ) from error


def _prepare(workspace, accounts, as_of, params_file):
    """Check every parameter before a kernel starts; return resolved values."""
    path = resolve_workspace(workspace).resolve()
    as_of = parse_as_of(as_of)
    if params_file is not None:
        params_file = str(Path(params_file).resolve())
    load_settings(params_file)
    with Workspace(path) as ws:
        known = ws.account_ids()
        as_of = as_of or ws.default_as_of()
    if accounts is None:
        accounts = known
    unknown = [account for account in accounts if account not in set(known)]
    if unknown:
        raise InvalidInputError(
            f"account_id {unknown[:5]} not in the workspace {path}; "
            f"it has {len(known)} accounts, e.g. {known[:5]}"
        )
    return path, list(accounts), as_of, params_file


_exporter: dict = {}


def export_html(notebook_file: Path, html_file: Path) -> None:
    """Write the HTML page of an executed notebook, without code cells.

    The page loads nothing from the network. It is written under a
    temporary name and renamed when complete. One exporter is kept per
    process, so its templates are read once.
    """
    import nbformat

    exporter = _exporter.get("html") or _exporter.setdefault("html", _html_exporter())
    body, _ = exporter.from_notebook_node(nbformat.read(notebook_file, as_version=4))
    _write_atomic(html_file, body)


def _html_exporter():
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="cskit_report",
        extra_template_basedirs=[str(Path(__file__).parent / "templates")],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )


# Reports hold customer data: readable by the owner and group, not by others.
FILE_MODE = 0o640
DIR_MODE = 0o750


def _write_atomic(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.chmod(partial, FILE_MODE)
    os.replace(partial, path)


def _execute(
    notebook: str, out_dir: str, stem: str, parameters: dict, options: dict
) -> AccountRun:
    """Run one workbook; keep the executed notebook even when it fails."""
    import papermill

    from cskit.engine import ENGINE_NAME

    started = time.perf_counter()
    out = Path(out_dir)
    executed, page = out / f"{stem}.ipynb", out / f"{stem}.html"
    partial = out / f".{stem}.partial.ipynb"
    error = ""
    try:
        papermill.execute_notebook(
            notebook,
            str(partial),
            parameters=parameters,
            kernel_name=KERNEL_NAME,
            engine_name=ENGINE_NAME if options.get("warm", True) else None,
            progress_bar=False,
            log_output=False,
            cwd=str(Path(notebook).parent),
            request_save_on_cell_execute=False,
            execution_timeout=options.get("cell_timeout"),
        )
    except Exception as failure:  # noqa: BLE001 - any failure is this account's
        error = _describe(failure)
    if partial.is_file():
        os.chmod(partial, FILE_MODE)
        os.replace(partial, executed)
        export_html(executed, page)
        _export_deck(notebook, executed)
    return AccountRun(
        account_id=str(parameters.get("account_id") or ""),
        status="failed" if error else "ok",
        seconds=round(time.perf_counter() - started, 2),
        notebook=str(executed),
        html=str(page) if page.is_file() else "",
        error=error,
    )


def _export_deck(notebook: str, executed: Path) -> None:
    """Write the slide deck of an executed QBR workbook beside its page."""
    if Path(notebook).stem != "qbr":
        return
    from cskit.deck import export_deck

    try:
        export_deck(executed, executed.with_suffix(".pptx"))
    except Exception as failure:  # noqa: BLE001 - the report stands without it
        logger.warning("no deck for %s: %s", executed, failure)


def _describe(failure: Exception) -> str:
    name = getattr(failure, "ename", type(failure).__name__)
    value = getattr(failure, "evalue", str(failure))
    cell = getattr(failure, "exec_count", None)
    where = f" in cell [{cell}]" if cell is not None else ""
    return f"{name}{where}: {value}".strip()


def run_account(
    account_id: str,
    *,
    workspace: str | Path | None = None,
    as_of: str | date | None = None,
    notebook: str = "account_health",
    out_dir: str | Path = "reports/single",
    params_file: str | Path | None = None,
    cell_timeout: float | None = 600,
) -> AccountRun:
    """Run a workbook for one account.

    Parameters
    ----------
    account_id : str
        The account to report on.
    workspace : str or pathlib.Path, optional
        The workspace; by default the one :func:`resolve_workspace` finds.
    as_of : str or datetime.date, optional
        The as-of date; by default the workspace's (the day after its last
        event).
    notebook : str
        Workbook name in ``notebooks/``.
    out_dir : str or pathlib.Path
        Folder for the executed notebook and its HTML page.
    params_file : str or pathlib.Path, optional
        Parameter file; by default ``params/defaults.yaml``.
    cell_timeout : float, optional
        Seconds a cell may run before the account fails; None for no limit.

    Returns
    -------
    AccountRun
    """
    path, _, as_of, params_file = _prepare(workspace, [account_id], as_of, params_file)
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    parameters = _parameters(path, account_id, as_of, params_file)
    return _execute(
        str(notebook_path(notebook)),
        str(out),
        account_id,
        parameters,
        {"warm": False, "cell_timeout": cell_timeout},
    )


def _parameters(
    workspace: Path,
    account_id,
    as_of: date,
    params_file,
    analysis_dir: Path | None = None,
) -> dict:
    values = {
        "workspace": str(workspace),
        "as_of": as_of.isoformat(),
        "params_file": params_file,
    }
    if analysis_dir is not None:
        values["analysis_dir"] = str(analysis_dir)
    if account_id is not None:
        values["account_id"] = account_id
    return values


def run_batch(
    *,
    workspace: str | Path | None = None,
    notebook: str = "account_health",
    accounts: list[str] | None = None,
    as_of: str | date | None = None,
    jobs: int = 1,
    out_root: str | Path = "reports",
    run: str | None = None,
    params_file: str | Path | None = None,
    progress: bool = False,
    cell_timeout: float | None = 600,
    warm: bool = True,
    resume: bool = False,
    scheduler: str | None = None,
) -> BatchResult:
    """Run a workbook for many accounts and write the batch's outputs.

    Parameters
    ----------
    workspace, as_of, params_file
        As for :func:`run_account`.
    notebook : str
        The per-account workbook.
    accounts : list of str, optional
        The accounts to run; by default every account of the workspace.
    jobs : int
        Accounts run at the same time, each in its own kernel.
    out_root : str or pathlib.Path
        Folder under which the run folder is made.
    run : str, optional
        Name of the run folder; by default ``<notebook>-<as_of>``.
    progress : bool
        Show a progress bar.
    cell_timeout : float, optional
        Seconds a cell may run before the account fails; None for no limit.
    warm : bool
        Reuse one warm kernel per worker, reset between accounts (the
        default), or start a fresh kernel for every account.
    resume : bool
        Keep the accounts of an existing run folder whose executed notebook
        and page are complete and without error; run only the others.
    scheduler : str, optional
        Address of a Dask scheduler (``tcp://host:8786``): the accounts run
        on its workers instead of local processes. Workers must see the
        workspace, the workbooks and the run folder at the same paths.

    Returns
    -------
    BatchResult
        Check ``failed``: failed accounts do not raise.
    """
    if jobs < 1:
        raise InvalidInputError(f"jobs is {jobs}; pass a whole number of 1 or more")
    path, accounts, as_of, params_file = _prepare(
        workspace, accounts, as_of, params_file
    )
    run_dir = _run_dir(out_root, run or f"{notebook}-{as_of.isoformat()}")
    options = {"warm": warm, "cell_timeout": cell_timeout}
    portfolio, signals = _analyse_portfolio(path, as_of, params_file, run_dir)
    kept = _completed(run_dir, accounts) if resume else {}
    tasks = [
        (
            str(notebook_path(notebook)),
            str(run_dir / "accounts"),
            account,
            _parameters(path, account, as_of, params_file, signals),
            options,
        )
        for account in accounts
        if account not in kept
    ]
    tasks.append(
        (
            str(notebook_path("portfolio")),
            str(run_dir),
            "portfolio",
            _parameters(path, None, as_of, params_file, signals),
            options,
        )
    )
    logger.info(
        "running %d accounts with %d job(s) into %s", len(accounts), jobs, run_dir
    )
    runs = _run_all(
        tasks,
        jobs=jobs,
        progress=progress,
        log_file=run_dir / "kernels.log",
        scheduler=scheduler,
    )
    order = {account: index for index, account in enumerate(accounts)}
    per_account = sorted(
        [*kept.values(), *[r for r in runs if r.account_id]],
        key=lambda run: order[run.account_id],
    )
    result = BatchResult(run_dir=run_dir, runs=per_account)
    _write_outputs(result, [r for r in runs if not r.account_id], portfolio)
    _store_history(path, portfolio)
    return result


def _analyse_portfolio(workspace: Path, as_of: date, params_file, run_dir: Path):
    """Analyse every account once; the workbooks read their row of the result."""
    from cskit import portfolio_report
    from cskit.analysis import save_analysis

    report = portfolio_report.load_portfolio(
        workspace=workspace, as_of=as_of, params_file=params_file
    )
    return report, save_analysis(report.analysis, run_dir / "analysis")


def _store_history(workspace: Path, portfolio) -> None:
    """Add this run's health scores to the workspace's history."""
    from cskit import health

    rows = health.history_rows(portfolio.analysis.health, as_of=portfolio.as_of)
    try:
        with Workspace(workspace, read_only=False) as ws:
            health.write_health_history(ws.connection, rows)
    except CskitError as error:
        logger.warning("health history not stored: %s", error)


def _completed(run_dir: Path, accounts: list[str]) -> dict[str, AccountRun]:
    """Return the accounts whose outputs in ``run_dir`` are complete and ok."""
    import nbformat

    for stale in run_dir.rglob("*.partial*"):
        stale.unlink()
    kept = {}
    for account in accounts:
        executed = run_dir / "accounts" / f"{account}.ipynb"
        page = executed.with_suffix(".html")
        if not (executed.is_file() and page.is_file()):
            continue
        try:
            notebook = nbformat.read(executed, as_version=4)
        except Exception:  # noqa: BLE001 - an unreadable notebook is redone
            continue
        if not notebook.metadata.get("papermill", {}).get("exception"):
            kept[account] = AccountRun(account, "ok", 0.0, str(executed), str(page))
    logger.info("resuming %s: %d accounts kept", run_dir, len(kept))
    return kept


def _run_dir(out_root, name: str) -> Path:
    if not _RUN_NAME.match(name):
        raise InvalidInputError(
            f"run name {name!r} may hold only letters, digits, '.', '_' and '-'"
        )
    run_dir = Path(out_root).resolve() / name
    (run_dir / "accounts").mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    for folder in (run_dir, run_dir / "accounts"):
        os.chmod(folder, DIR_MODE)
    return run_dir


def _quiet_kernels(log_file: str) -> None:
    """Send what kernels print on stderr to the run's kernel log, not the terminal.

    Runs in each worker process; the kernels it starts inherit the descriptor.
    """
    handle = os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
    os.dup2(handle, 2)
    os.close(handle)


def _run_all(
    tasks, *, jobs: int, progress: bool, log_file: Path, scheduler: str | None = None
) -> list[AccountRun]:
    if scheduler:
        runs = _run_on_dask(tasks, scheduler=scheduler, progress=progress)
        return _in_task_order(runs, tasks)
    bar = _progress(len(tasks)) if progress else None
    runs: list[AccountRun] = []
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(
        jobs,
        mp_context=context,
        initializer=_quiet_kernels,
        initargs=(str(log_file),),
    ) as pool:
        futures = [pool.submit(_execute, *task) for task in tasks]
        for future in concurrent.futures.as_completed(futures):
            runs.append(future.result())
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()
    return _in_task_order(runs, tasks)


def _in_task_order(runs: list[AccountRun], tasks) -> list[AccountRun]:
    order = {task[2]: index for index, task in enumerate(tasks)}
    return sorted(runs, key=lambda r: order.get(r.account_id or "portfolio", 0))


def _run_on_dask(tasks, *, scheduler: str, progress: bool) -> list[AccountRun]:
    """Run the tasks on a Dask cluster; a lost worker's tasks are retried."""
    try:
        from distributed import Client
    except ImportError as error:
        raise ConfigurationError(
            "--scheduler needs the Dask distributed package; install it with "
            "`pip install 'cskit[cluster]'`"
        ) from error

    bar = _progress(len(tasks)) if progress else None
    runs = []
    with Client(scheduler, set_as_default=False) as client:
        futures = [
            client.submit(
                _execute, *task, key=f"cskit-{index}-{task[2]}", retries=2, pure=False
            )
            for index, task in enumerate(tasks)
        ]
        for future in futures:
            runs.append(future.result())
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()
    return runs


def _progress(total: int):
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="account", desc="cskit batch")


def _write_outputs(result: BatchResult, extra, portfolio) -> None:
    from cskit import portfolio_report

    table = portfolio_report.portfolio_table(portfolio)
    status = pd.DataFrame(
        {
            "account_id": [r.account_id for r in result.runs],
            "report_status": [r.status for r in result.runs],
        }
    )
    table = table.merge(status, on="account_id", how="left")
    _write_frame(table, result.run_dir / "portfolio.csv")
    _write_frame(table, result.run_dir / "portfolio.parquet")
    log = pd.DataFrame([asdict(run) for run in [*result.runs, *extra]])
    _write_frame(log, result.run_dir / "run_log.csv")
    index = portfolio_report.index_page(
        table, result.runs, extra, run_dir=result.run_dir
    )
    _write_atomic(result.run_dir / "index.html", index)


def _write_frame(frame: pd.DataFrame, path: Path) -> None:
    partial = path.with_name(f".{path.stem}.partial{path.suffix}")
    if path.suffix == ".parquet":
        frame.to_parquet(partial, index=False)
    else:
        frame.to_csv(partial, index=False)
    os.chmod(partial, FILE_MODE)
    os.replace(partial, path)
