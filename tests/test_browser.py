"""An HTML report opened in Debian's chromium shows its plots and tables, no code."""

import shutil
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
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


def _figures(notebook: Path) -> int:
    import nbformat

    cells = nbformat.read(notebook, as_version=4).cells
    outputs = [o for c in cells if c.cell_type == "code" for o in c.outputs]
    return sum("image/png" in o.get("data", {}) for o in outputs)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.skip(
            "Debian's chromium is not installed: run "
            "`apt-get install chromium chromium-driver` (as .ci/run does)"
        )
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def report_page(tmp_path_factory, demo_workspace):
    from cskit.runner import run_account

    out = tmp_path_factory.mktemp("browser")
    run = run_account("0007", workspace=demo_workspace, out_dir=out)
    assert run.status == "ok", run.error
    return Path(run.html)


def test_report_shows_plots_and_tables_and_no_code(browser, report_page):
    page = browser.new_page()
    errors, requests = [], []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(report_page.as_uri())
    page.wait_for_load_state("load")

    images = page.eval_on_selector_all(
        "img", "els => els.map(e => [e.complete, e.naturalWidth])"
    )
    assert len(images) == _figures(report_page.with_suffix(".ipynb")) >= 2
    assert all(done and width > 0 for done, width in images)
    assert page.locator("table").count() >= 3
    assert page.get_by_role("heading", name="Headline KPIs").count() == 1
    body = page.inner_text("body")
    assert "load_account_report" not in body and "import" not in body
    assert not errors
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "account_report.png"), full_page=True)
