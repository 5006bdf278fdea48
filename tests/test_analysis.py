"""A batch's portfolio analysis gives each account the report it gets alone."""

import pytest

from cskit import reports
from cskit.analysis import analyse, load_analysis, save_analysis
from cskit.params import load_settings
from cskit.workspace import Workspace

SECTIONS = [
    "health_summary",
    "health_groups",
    "health_drivers",
    "risk_flags",
    "flag_evidence",
    "open_plays",
    "headline",
    "phase_summary",
]


@pytest.fixture(scope="module")
def saved(tmp_path_factory, demo_workspace):
    with Workspace(demo_workspace) as ws:
        tables = ws.portfolio_tables()
        texts = ws.derived("text_analysis")
        as_of = ws.default_as_of()
    result = analyse(tables, as_of=as_of, settings=load_settings(), texts=texts)
    return save_analysis(result, tmp_path_factory.mktemp("analysis"))


@pytest.mark.parametrize("account", ["0001", "0007", "0012", "0033"])
def test_portfolio_rows_equal_the_account_alone(saved, demo_workspace, account):
    alone = reports.load_account_report(workspace=demo_workspace, account_id=account)
    batch = reports.load_account_report(
        workspace=demo_workspace, account_id=account, analysis_dir=saved
    )
    for section in SECTIONS:
        left, right = getattr(reports, section)(alone), getattr(reports, section)(batch)
        assert left.equals(right) if hasattr(left, "equals") else left == right, section


def test_unknown_account_is_not_in_the_saved_analysis(saved):
    assert load_analysis(saved, account_id="9999") is None
