"""Reports show hostile text as text, and parameters cannot inject code."""

import ast
import shutil
from pathlib import Path

import nbformat
import pytest
from papermill.parameterize import parameterize_notebook

from cskit.enrich import enrich_workspace
from cskit.ingest import ingest
from cskit.runner import run_account

HOSTILE = [
    "x'; import os; os.system('touch /tmp/pwned'); '",
    'quote " and backslash \\ and\nnewline\n__import__("os")',
    "\\u0027); print('escaped",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_parameter_values_cannot_inject_code(value):
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("account_id = None")
    cell.metadata["tags"] = ["parameters"]
    notebook.cells = [cell]
    notebook.metadata["kernelspec"] = {"name": "python3", "language": "python"}
    notebook.metadata["papermill"] = {}
    injected = parameterize_notebook(notebook, {"account_id": value})
    source = next(
        c.source for c in injected.cells
        if "injected-parameters" in c.metadata.get("tags", [])
    )
    tree = ast.parse(source)
    assert len(tree.body) == 1 and isinstance(tree.body[0], ast.Assign)
    assert ast.literal_eval(tree.body[0].value) == value


SCRIPT = "<script>window.__pwned = 1</script>"
IMAGE = '<img src="http://127.0.0.1:9/x.png" onerror="window.__pwned = 2">'
LINK = '<a href="javascript:window.__pwned = 3">click</a>'


def _hostile_export(folder: Path) -> Path:
    folder.mkdir()
    (folder / "accounts.csv").write_text(
        "account_id,name,timezone,kickoff_date,seats_licensed\n"
        f'0042,"Evil {IMAGE} Corp",UTC,2026-01-05,10\n'
    )
    (folder / "contacts.csv").write_text(
        "contact_id,account_id,name,email,role\n"
        f'C1,0042,"{SCRIPT}",evil@example.com,developer\n'
    )
    (folder / "events.csv").write_text(
        "ts,account_id,contact_id,event\n"
        "2026-03-01T10:00:00Z,0042,C1,app_create\n"
        "2026-03-02T10:00:00Z,0042,C1,login\n"
    )
    (folder / "surveys.csv").write_text(
        "response_id,account_id,contact_id,submitted_at,kind,score,comment\n"
        f'S1,0042,C1,2026-03-01T09:00:00Z,nps,3,"Awful {SCRIPT} {LINK}"\n'
    )
    (folder / "tickets.csv").write_text(
        "ticket_id,account_id,created_at,priority,subject,description\n"
        f'T1,0042,2026-03-01T08:00:00Z,high,"{LINK}","It broke {IMAGE}"\n'
    )
    return folder


@pytest.mark.slow
@pytest.mark.browser
def test_hostile_text_is_shown_as_text_in_the_report(tmp_path):
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).is_file():
        pytest.skip("Debian's chromium is not installed: run "
                    "`apt-get install chromium chromium-driver` (as .ci/run does)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    source = _hostile_export(tmp_path / "export")
    workspace = tmp_path / "ws.duckdb"
    ingest(source, workspace=workspace)
    enrich_workspace(workspace)
    run = run_account("0042", workspace=workspace, out_dir=tmp_path / "out")
    assert run.status == "ok", run.error

    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            args=["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--no-first-run"],
        )
        page = browser.new_page()
        requests = []
        page.on("request", lambda request: requests.append(request.url))
        page.goto(Path(run.html).as_uri())
        page.wait_for_load_state("load")
        for link in page.locator("a").all():
            assert not (link.get_attribute("href") or "").startswith("javascript:")
        assert page.evaluate("window.__pwned") is None
        body = page.inner_text("body")
        browser.close()
    assert "<script>window.__pwned = 1</script>" in body
    assert [url for url in requests if not url.startswith(("file:", "data:"))] == []
