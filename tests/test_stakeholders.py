"""Account Mapper and Stakeholder Connector: hand-made accounts and the demo."""

import itertools

import pandas as pd
import pytest

from cskit import stakeholders
from cskit.exceptions import MissingColumnError
from cskit.workspace import Workspace

AS_OF = pd.Timestamp("2026-10-01", tz="UTC")
LAST_QBR = pd.Timestamp("2026-07-01", tz="UTC")


def _ts(text):
    return pd.Timestamp(text, tz="UTC")


def _tables():
    contacts = pd.DataFrame(
        {
            "contact_id": ["A", "B", "C", "D", "E", "L"],
            "account_id": "1",
            "name": ["Ann", "Bo", "Cy", "Di", "Ed", "Lu"],
            "title": ["CEO", "Ops lead", "Dev", "Clerk", "Dev", "Dev"],
            "role": ["exec_sponsor", "champion", "developer", "end_user"]
            + ["developer", "developer"],
            "is_champion": [False, True, False, False, False, False],
            "manager_id": [None, "A", "B", "B", "C", "C"],
            "created_at": _ts("2025-01-01"),
            "left_at": pd.to_datetime([None] * 5 + ["2026-05-01"], utc=True),
        }
    )
    tickets = pd.DataFrame(
        {
            "ticket_id": ["T1", "T2", "T3"],
            "account_id": "1",
            "requester_id": ["C", "C", "E"],
            "created_at": [_ts("2026-08-01"), _ts("2026-08-02"), _ts("2026-02-01")],
        }
    )
    surveys = pd.DataFrame(
        {
            "response_id": ["R1", "R2", "R3", "R4"],
            "account_id": "1",
            "contact_id": ["D", "D", "D", "C"],
            "submitted_at": [_ts("2026-08-01")] * 4,
        }
    )
    calls = pd.DataFrame(
        {"call_id": ["K1"], "account_id": "1", "started_at": [_ts("2026-08-05")]}
    )
    turns = pd.DataFrame(
        {
            "call_id": "K1",
            "seq": [1, 2, 3, 4],
            "speaker": ["Cy", "Cy", "Ann", "Vendor Vic"],
            "side": ["customer", "customer", "customer", "vendor"],
        }
    )
    apps = pd.DataFrame(
        {
            "app_id": ["P1"],
            "account_id": "1",
            "owner_id": ["C"],
            "created_at": [_ts("2026-08-01")],
            "archived_at": pd.to_datetime([None], utc=True),
        }
    )
    events = pd.DataFrame(
        {
            "ts": [_ts("2026-08-01"), _ts("2026-08-02"), _ts("2026-03-01")],
            "account_id": "1",
            "contact_id": ["C", "E", "E"],
            "event": "login",
            "count": [50, 10, 5],
        }
    )
    return {
        "contacts": contacts,
        "tickets": tickets,
        "surveys": surveys,
        "calls": calls,
        "call_turns": turns,
        "apps": apps,
        "events": events,
    }


def test_signals_count_each_kind_of_evidence():
    signals = stakeholders.influence_signals(_tables(), as_of=AS_OF)
    cy = signals.set_index("contact_id").loc["C"]
    assert cy["tickets"] == 2 and cy["surveys"] == 1 and cy["apps_owned"] == 1
    assert cy["call_share"] == pytest.approx(2 / 3)  # 2 of 3 customer turns
    assert cy["events"] == 50 and cy["team_events"] == 15  # Ed's 10 + 5
    assert "L" not in set(signals["contact_id"])  # left before as-of


def test_connector_ranks_breadth_above_one_busy_signal():
    ranked = stakeholders.connect_stakeholders(_tables(), as_of=AS_OF)
    assert set(ranked["contact_id"]) == {"C", "D", "E"}  # no stakeholder listed
    top = ranked.iloc[0]
    # Top on four signals; second on surveys (Di answered 3) and on team
    # events (the champion's team made more): (4 + 0.5 + 0.5) / 6.
    assert top["contact_id"] == "C" and top["influencer"]
    assert top["score"] == pytest.approx(5 / 6, abs=1e-3)
    assert "raised 2 ticket(s) (the most in the account)" in top["reasons"]
    decoy = ranked.set_index("contact_id").loc["D"]
    # Surveys only: one signal of six at the top, the others silent.
    assert decoy["score"] == pytest.approx(1 / 6, abs=1e-3)
    assert not decoy["influencer"]


def test_influencer_new_since_the_last_qbr():
    ranked = stakeholders.connect_stakeholders(
        _tables(), as_of=AS_OF, last_qbr=LAST_QBR, window_days=90
    )
    assert ranked.set_index("contact_id").loc["C", "new"]


def test_missing_contact_column_is_named():
    tables = _tables()
    tables["contacts"] = tables["contacts"].drop(columns=["role"])
    with pytest.raises(MissingColumnError, match="role"):
        stakeholders.influence_signals(tables, as_of=AS_OF)


def test_org_chart_table_marks_stakeholders_and_leavers():
    chart = stakeholders.org_chart(_tables(), as_of=AS_OF).set_index("contact_id")
    assert chart.loc["A", "exec_sponsor"] and chart.loc["B", "champion"]
    assert chart.loc["L", "left"] and chart.loc["C", "reports"] == 2
    assert chart.loc["E", "manager"] == "Cy"


def _overlaps(figure):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(figure).get_renderer()
    boxes = [
        text.get_window_extent(renderer)
        for text in figure.axes[0].texts
        if (text.get_gid() or "").startswith("label-")
    ]
    clashes = [(a, b) for a, b in itertools.combinations(boxes, 2) if a.overlaps(b)]
    return boxes, clashes


def test_small_org_chart_draws_every_label_apart():
    chart = stakeholders.org_chart(_tables(), as_of=AS_OF)
    figure = stakeholders.plot_org_chart(chart)
    boxes, clashes = _overlaps(figure)
    assert len(boxes) == len(chart) and not clashes


@pytest.fixture(scope="module")
def demo(demo_workspace):
    with Workspace(demo_workspace) as ws:
        tables = ws.portfolio_tables()
        as_of = pd.Timestamp(ws.default_as_of(), tz="UTC")
    truth = pd.read_csv(demo_workspace.parent / "data" / "ground_truth.csv", dtype=str)
    return tables, as_of, truth


def test_largest_demo_account_is_drawn_legibly(demo, tmp_path):
    tables, as_of, _ = demo
    largest = tables["contacts"]["account_id"].value_counts().index[0]
    mine = {
        name: frame[frame["account_id"] == largest]
        for name, frame in tables.items()
        if "account_id" in frame.columns
    }
    mine["call_turns"] = tables["call_turns"]
    chart = stakeholders.org_chart(mine, as_of=as_of)
    assert len(chart) >= 150
    figure = stakeholders.plot_org_chart(chart, title=largest)
    figure.savefig(tmp_path / "org.png", dpi=100)
    boxes, clashes = _overlaps(figure)
    assert len(boxes) == len(chart)
    assert not clashes
    width, height = figure.get_size_inches()
    assert width <= 20 and height <= 24  # a page, not a banner
    assert min(box.height for box in boxes) >= 7  # pixels at 100 dpi: readable


def _ids(column: pd.Series) -> set:
    return {i for value in column.dropna() for i in value.split(";")}


def test_connector_finds_the_planted_influencers(demo):
    tables, as_of, truth = demo
    planted, decoys = _ids(truth["influencers"]), _ids(truth["decoys"])
    ranked = stakeholders.connect_stakeholders(tables, as_of=as_of)

    # Precision at 5 over the demo accounts, pooled by influence score.
    top5 = ranked.sort_values("score", ascending=False).head(5)
    assert top5["contact_id"].isin(planted).mean() >= 0.8

    # Per account: the top candidate is the planted influencer, where one is.
    first = ranked.groupby("account_id").head(1)
    with_one = first[
        first["account_id"].isin(truth.dropna(subset=["influencers"])["account_id"])
    ]
    assert with_one["contact_id"].isin(planted).mean() >= 0.9

    # Decoys, busy on one signal only, are never flagged nor ranked above.
    flagged = ranked[ranked["influencer"]]
    assert not flagged["contact_id"].isin(decoys).any()
    assert flagged["contact_id"].isin(planted).sum() >= 0.85 * len(planted)
    for _, group in ranked.groupby("account_id"):
        order = list(group["contact_id"])
        for decoy in decoys & set(order):
            assert all(
                order.index(p) < order.index(decoy) for p in planted & set(order)
            )
