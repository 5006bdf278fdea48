"""JupyterLab in Debian's chromium: the explore dashboard, a workbook, a report.

A JupyterLab server is started the way ``cskit lab`` starts it
(:func:`cskit.explore.lab_command`), on loopback with a token, over a copy
of ``notebooks/`` and ``params/`` (so nothing the browser runs can be saved
into the repository). Chromium opens ``explore.ipynb``, runs every cell,
picks another account and checks that the summary follows; then it runs
``account_health.ipynb`` top to bottom. A batch's HTML report is opened
offline. Screenshots go to ``tests/artifacts/``. The server, its kernels
and the browser are stopped at the end, whatever the outcome.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_TIMEOUT = 90  # seconds for JupyterLab to answer
RUN_TIMEOUT = 150_000  # milliseconds for a workbook to run top to bottom
STEP_TIMEOUT = 30_000  # milliseconds for one redraw or page step
# Run every cell through JupyterLab's own command, bounded by a timer; then
# read the notebook's model (cells off screen are not all in the page).
RUN_ALL = """async ([path, timeout]) => {
    const app = window.jupyterapp;
    const panel = [...app.shell.widgets('main')]
        .find(w => w.context && w.context.path === path);
    app.shell.activateById(panel.id);
    const run = app.commands.execute('notebook:run-all-cells');
    const timer = new Promise(done => setTimeout(() => done('timeout'), timeout));
    const finished = (await Promise.race([run, timer])) !== 'timeout';
    const cells = [...panel.content.widgets]
        .map((cell, index) => [cell.model, index])
        .filter(([model]) => model.type === 'code');
    const errors = cells.flatMap(([model]) => model.outputs.toJSON()
        .filter(o => o.output_type === 'error')
        .map(o => `${o.ename}: ${o.evalue}`));
    const unrun = cells.filter(([model]) => !model.executionCount)
        .map(([, index]) => index);
    return {finished, errors, unrun};
}"""


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.skip(
            f"Debian's chromium is not installed at {CHROMIUM}: run "
            "`apt-get install chromium chromium-driver` (as .ci/run does)"
        )
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"JupyterLab exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer in {START_TIMEOUT} s:\n{log.read_text()}")


def _stop(process: subprocess.Popen, base: str, token: str) -> None:
    """Shut the server down with its kernels; kill what is left, by id."""
    import psutil

    try:
        started = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        started = []
    request = urllib.request.Request(
        f"{base}/api/shutdown?token={token}", method="POST", data=b""
    )
    try:
        urllib.request.urlopen(request, timeout=10).close()
        process.wait(timeout=30)
    except (urllib.error.URLError, subprocess.TimeoutExpired, ConnectionError):
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    gone, alive = psutil.wait_procs(started, timeout=15)
    for child in alive:
        child.kill()
    assert not alive, f"processes left after JupyterLab stopped: {alive}"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory, demo_workspace):
    """A private copy of the demo workspace: other test sessions may rebuild it."""
    import fcntl

    from tests.demo_workspace import FOLDER

    copy = tmp_path_factory.mktemp("workspace") / "workspace.duckdb"
    with open(FOLDER.parent / "test-demo.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        shutil.copyfile(demo_workspace, copy)
    return copy


@pytest.fixture(scope="module")
def lab(tmp_path_factory, workspace):
    pytest.importorskip("jupyterlab")
    pytest.importorskip("ipywidgets")
    from cskit.explore import lab_command

    home = tmp_path_factory.mktemp("lab")
    # No news pop-up over the screenshots.
    settings = home / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false"})
    )
    shutil.copytree(ROOT / "notebooks", home / "notebooks")
    shutil.copytree(ROOT / "params", home / "params")
    port, token = _free_port(), secrets.token_hex(16)
    command = lab_command(
        port=port,
        open_browser=False,
        root_dir=home / "notebooks",
        extra_args=[
            "--ServerApp.ip=127.0.0.1",
            f"--IdentityProvider.token={token}",
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.news_url=",
            "--LabApp.extension_manager=readonly",
            f"--LabApp.user_settings_dir={home / 'settings'}",
            f"--LabApp.workspaces_dir={home / 'workspaces'}",
        ],
    )
    env = {
        **os.environ,
        "CSKIT_WORKSPACE": str(workspace),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
    }
    log = home / "lab.log"
    with open(log, "w") as output:
        process = subprocess.Popen(
            command,
            cwd=home / "notebooks",
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{base}/api/status?token={token}", process, log)
        yield {"base": base, "token": token, "home": home, "log": log}
    finally:
        _stop(process, base, token)


def _open_and_run_all(browser, lab, notebook: str):
    """Open a notebook in JupyterLab, run every cell, wait for the kernel."""
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(STEP_TIMEOUT)
    # ?reset: open this notebook alone, not the tabs of the previous page.
    page.goto(f"{lab['base']}/lab/tree/{notebook}?reset&token={lab['token']}")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
    page.wait_for_function(
        "() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
        " && window.jupyterapp.shell.currentWidget.sessionContext"
        " && window.jupyterapp.shell.currentWidget.sessionContext.session"
        " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel",
        timeout=60_000,
    )
    # The command resolves when the run is over (an error stops it early).
    outcome = page.evaluate(RUN_ALL, [notebook, RUN_TIMEOUT])
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"lab_{Path(notebook).stem}_run.png"))
    assert outcome["finished"], f"{notebook} still running after {RUN_TIMEOUT} ms"
    assert not outcome["errors"], f"{notebook} raised: {outcome['errors']}"
    assert not outcome["unrun"], f"cells {outcome['unrun']} of {notebook} did not run"
    return page, errors


def _shut_kernel(page) -> None:
    page.evaluate(
        "() => window.jupyterapp.shell.currentWidget.sessionContext.shutdown()"
    )
    page.close()


def test_explore_follows_the_account_picked(browser, lab):
    from playwright.sync_api import expect

    page, errors = _open_and_run_all(browser, lab, "explore.ipynb")
    summary = page.locator(".cskit-explorer .cskit-summary").first
    expect(summary.locator("table").first).to_be_visible(timeout=STEP_TIMEOUT)
    before = summary.inner_text()
    assert "account_id\t0001" in before
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    _snap(page, ".cskit-search", "explore_0001.png")

    picker = page.locator(".cskit-explorer .cskit-account select")
    labels = picker.locator("option").all_inner_texts()
    chosen = next(label for label in labels if label.endswith("(0007)"))
    picker.select_option(label=chosen)
    expect(summary).to_contain_text("0007", timeout=STEP_TIMEOUT)
    after = summary.inner_text()
    status = page.locator(".cskit-explorer .cskit-status").first
    finished = re.compile(r"\(0007\).*with the Account Mapper")
    expect(status).to_contain_text(finished, timeout=STEP_TIMEOUT)
    status = status.inner_text()

    assert after != before
    name = chosen.replace("\xa0", " ").split(" (")[0]  # options keep no-break spaces
    assert name in after and "account_id\t0007" in after
    assert "account_id\t0001" not in after
    assert "Could not redraw" not in status and "(0007)" in status
    assert not errors
    mapper = page.locator(".cskit-explorer .cskit-mapper").first
    expect(mapper.locator("img").first).to_be_visible(timeout=STEP_TIMEOUT)
    _snap(page, ".cskit-search", "explore_0007.png")
    _snap(page, ".cskit-trend", "explore_0007_trend_pulse.png")
    _snap(page, ".cskit-mapper", "explore_0007_mapper.png")
    _shut_kernel(page)


def _snap(page, selector: str, name: str) -> None:
    """Scroll a part of the dashboard to the top of the view; screenshot it."""
    page.locator(f".cskit-explorer {selector}").first.evaluate(
        "e => e.scrollIntoView({block: 'start'})"
    )
    page.screenshot(path=str(ARTIFACTS / name))


def test_account_health_runs_top_to_bottom_in_lab(browser, lab):
    page, errors = _open_and_run_all(browser, lab, "account_health.ipynb")

    assert page.locator(".jp-OutputArea-output img").count() >= 1
    assert not errors
    _shut_kernel(page)


def test_batch_report_offline_loads_every_image(browser, tmp_path, workspace):
    from cskit.runner import run_account

    run = run_account("0007", workspace=workspace, out_dir=tmp_path)
    assert run.status == "ok", run.error

    context = browser.new_context(offline=True)
    page = context.new_page()
    problems, remote = [], []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: (
            problems.append(message.text) if message.type == "error" else None
        ),
    )
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith(("file:", "data:"))
            else remote.append(request.url)
        ),
    )
    page.goto(Path(run.html).as_uri(), timeout=STEP_TIMEOUT)
    page.wait_for_load_state("load", timeout=STEP_TIMEOUT)

    images = page.eval_on_selector_all(
        "img", "els => els.map(e => [e.complete, e.naturalWidth, e.src.slice(0, 40)])"
    )
    assert len(images) >= 2
    assert all(done and width > 0 for done, width, _ in images), json.dumps(images)
    assert not problems, problems
    assert not remote, remote
    page.screenshot(path=str(ARTIFACTS / "batch_report_0007.png"), full_page=True)
    context.close()
