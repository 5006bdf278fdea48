"""Account Mapper and Stakeholder Connector: who is who at an account.

The **Account Mapper** (:func:`org_chart`, :func:`plot_org_chart`) draws the
org chart of ``contacts.manager_id``: each person sized by product usage,
coloured by role, ringed when champion (gold) or exec sponsor (black), with
their Engagement Pulse as a small marker beside them and leavers greyed
with "(left)". Managers stand above their teams; people without reports
are stacked in a column under their manager, the way org-chart tools lay
out wide spans, so 5 to 200 people stay legible with no label over another.

The **Stakeholder Connector** (:func:`influence_signals`,
:func:`connect_stakeholders`) ranks the people not mapped as stakeholders
(not champion, exec sponsor or economic buyer) by evidence of influence
in a window before the as-of date: tickets they raised, their share of the
customer's speaking turns in calls, survey responses, apps they own, their
product events and those of their direct reports. Each signal is turned
into the person's percentile within the account (0 when silent on it);
the influence score is the mean over the signals, so a person busy on one
signal only scores low and one busy on all scores high. Influencers are
those scoring at least ``threshold`` with ``min_signals`` strong signals;
those who were not influencers at the last QBR are marked new.

Limitations
-----------
Call speakers are matched to contacts by name within the account; a name
shared by two people, or spelt differently, is not matched. The Pulse
overlay uses ticket and survey texts (calls are scored per call, not per
speaker).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from cskit.exceptions import MissingColumnError

__all__ = [
    "SIGNALS",
    "STAKEHOLDER_ROLES",
    "influence_signals",
    "connect_stakeholders",
    "org_chart",
    "plot_org_chart",
]

logger = logging.getLogger(__name__)

SIGNALS = ("tickets", "call_share", "surveys", "apps_owned", "events", "team_events")
STAKEHOLDER_ROLES = ("champion", "exec_sponsor", "economic_buyer")
_ROLE_COLOURS = {
    "developer": "#2f6db5",
    "end_user": "#5a9e6f",
    "admin": "#8c6bb1",
    "champion": "#e3a21a",
    "exec_sponsor": "#c0504d",
    "economic_buyer": "#d9822b",
    "other": "#7f7f7f",
}


def _require(frame: pd.DataFrame, columns: list[str], name: str) -> None:
    for column in columns:
        if column not in frame.columns:
            raise MissingColumnError(column, frame=name, found=list(frame.columns))


def _window(frame, column: str, start, end) -> pd.DataFrame:
    stamps = frame[column]
    keep = stamps < end
    if start is not None:
        keep &= stamps >= start
    return frame[keep]


def _count_by(frame, key: str, contacts: pd.DataFrame, weight=None) -> pd.Series:
    if frame is None or frame.empty or key not in frame.columns:
        return pd.Series(0.0, index=contacts.index)
    values = frame[weight].astype(float) if weight else pd.Series(1.0, frame.index)
    totals = values.groupby(frame[key].astype(str)).sum()
    return contacts["contact_id"].map(totals).fillna(0.0).astype(float)


def _call_share(tables, contacts: pd.DataFrame, start, end) -> pd.Series:
    """Return each person's share of the customer's speaking turns in calls."""
    calls, turns = tables.get("calls"), tables.get("call_turns")
    if calls is None or turns is None or calls.empty:
        return pd.Series(0.0, index=contacts.index)
    calls = _window(calls, "started_at", start, end)
    spoken = turns[turns["side"] == "customer"].merge(
        calls[["call_id", "account_id"]], on="call_id"
    )
    per_person = spoken.groupby(["account_id", "speaker"]).size()
    per_account = spoken.groupby("account_id").size()
    keys = pd.MultiIndex.from_arrays([contacts["account_id"], contacts["name"]])
    counts = pd.Series(per_person.reindex(keys).to_numpy(), index=contacts.index)
    totals = contacts["account_id"].map(per_account)
    return (counts / totals).fillna(0.0).astype(float)


def influence_signals(
    tables: dict[str, pd.DataFrame],
    *,
    as_of: pd.Timestamp,
    window_days: int = 365,
) -> pd.DataFrame:
    """Count each person's evidence of influence in the window before as-of.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        ``contacts`` (``contact_id``, ``account_id``, ``name``, ``role``,
        ``manager_id``) and, where present, ``tickets``, ``surveys``,
        ``calls`` with ``call_turns``, ``apps`` and ``events``.
    as_of : pandas.Timestamp
        The start of the as-of day, in UTC; later data is not seen.
    window_days : int
        Days before as-of counted.

    Returns
    -------
    pandas.DataFrame
        One row per contact who had joined and not left by as-of: the
        contact's columns and one column per :data:`SIGNALS`.

    Raises
    ------
    MissingColumnError
        When ``contacts`` lacks a column named above.
    """
    contacts = tables["contacts"]
    _require(contacts, ["contact_id", "account_id", "name", "role"], "contacts")
    contacts = _current(contacts, as_of).reset_index(drop=True)
    start = as_of - pd.Timedelta(days=window_days)
    frames = _windowed(tables, start, as_of)

    signals = contacts.copy()
    signals["tickets"] = _count_by(frames["tickets"], "requester_id", contacts)
    signals["call_share"] = _call_share(tables, contacts, start, as_of)
    signals["surveys"] = _count_by(frames["surveys"], "contact_id", contacts)
    signals["apps_owned"] = _count_by(frames["apps"], "owner_id", contacts)
    signals["events"] = _count_by(frames["events"], "contact_id", contacts, "count")
    signals["team_events"] = _team_events(signals)
    return signals


def _current(contacts: pd.DataFrame, as_of) -> pd.DataFrame:
    keep = pd.Series(True, index=contacts.index)
    if "created_at" in contacts.columns:
        keep &= ~(contacts["created_at"] >= as_of).fillna(False).astype(bool)
    if "left_at" in contacts.columns:
        keep &= ~(contacts["left_at"] < as_of).fillna(False).astype(bool)
    return contacts[keep]


def _windowed(tables, start, end) -> dict:
    columns = {
        "tickets": "created_at",
        "surveys": "submitted_at",
        "apps": "created_at",
        "events": "ts",
    }
    frames = {}
    for name, column in columns.items():
        frame = tables.get(name)
        if frame is not None and name == "apps":
            frame = frame[~(frame["archived_at"] < end).fillna(False).astype(bool)]
            frames[name] = _window(frame, column, None, end)
        elif frame is not None:
            frames[name] = _window(frame, column, start, end)
        else:
            frames[name] = None
    return frames


def _team_events(signals: pd.DataFrame) -> pd.Series:
    """Return the product events of each person's direct reports."""
    if "manager_id" not in signals.columns:
        return pd.Series(0.0, index=signals.index)
    totals = signals.groupby(signals["manager_id"].astype(str))["events"].sum()
    return signals["contact_id"].map(totals).fillna(0.0).astype(float)


def _percentiles(signals: pd.DataFrame) -> pd.DataFrame:
    """Return each signal as a percentile within the account; 0 when silent."""
    ranks = {}
    for name in SIGNALS:
        values = signals[name].where(signals[name] > 0)
        ranks[name] = (
            values.groupby(signals["account_id"]).rank(pct=True, method="max").fillna(0)
        )
    return pd.DataFrame(ranks, index=signals.index)


def _is_stakeholder(contacts: pd.DataFrame) -> pd.Series:
    mapped = contacts["role"].isin(STAKEHOLDER_ROLES)
    if "is_champion" in contacts.columns:
        mapped |= contacts["is_champion"].fillna(False).astype(bool)
    return mapped


def _scored(tables, as_of, window_days, threshold, min_signals) -> pd.DataFrame:
    signals = influence_signals(tables, as_of=as_of, window_days=window_days)
    ranks = _percentiles(signals)
    signals["score"] = ranks.mean(axis=1).round(3)
    signals["strong_signals"] = (ranks >= 0.75).sum(axis=1)
    signals["influencer"] = (signals["score"] >= threshold) & (
        signals["strong_signals"] >= min_signals
    )
    signals["reasons"] = [_reasons(signals.loc[i], ranks.loc[i]) for i in signals.index]
    return signals[~_is_stakeholder(signals)]


_REASON_TEXT = {
    "tickets": "raised {v:.0f} ticket(s)",
    "call_share": "{p:.0f} % of the customer's speaking turns in calls",
    "surveys": "answered {v:.0f} survey(s)",
    "apps_owned": "owns {v:.0f} app(s)",
    "events": "{v:,.0f} product events",
    "team_events": "their reports made {v:,.0f} product events",
}


def _reasons(row: pd.Series, ranks: pd.Series) -> str:
    parts = []
    for name in SIGNALS:
        if row[name] > 0 and ranks[name] >= 0.75:
            text = _REASON_TEXT[name].format(v=row[name], p=100 * row[name])
            where = "the most in the account" if ranks[name] >= 1 else "top quarter"
            parts.append(f"{text} ({where})")
    return "; ".join(parts) or "little evidence"


def connect_stakeholders(
    tables: dict[str, pd.DataFrame],
    *,
    as_of: pd.Timestamp,
    last_qbr: pd.Timestamp | None = None,
    window_days: int = 365,
    threshold: float = 0.6,
    min_signals: int = 4,
) -> pd.DataFrame:
    """Rank the people not yet mapped as stakeholders by influence.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        As for :func:`influence_signals`: one account or many.
    as_of : pandas.Timestamp
        The start of the as-of day, in UTC.
    last_qbr : pandas.Timestamp, optional
        The start of the last QBR's day, in UTC: people who are influencers
        now and were not then (or had not joined) are marked ``new``.
    window_days : int
        Days of evidence counted before each date.
    threshold : float
        Lowest influence score (0 to 1) of an influencer.
    min_signals : int
        Signals on which an influencer must be in the account's top quarter.

    Returns
    -------
    pandas.DataFrame
        Candidates sorted by account and falling score: ``account_id``,
        ``contact_id``, ``name``, ``title``, ``role``, the signals,
        ``score``, ``strong_signals``, ``influencer``, ``new`` and
        ``reasons``.
    """
    options = {
        "window_days": window_days,
        "threshold": threshold,
        "min_signals": min_signals,
    }
    ranked = _scored(tables, as_of, **options)
    ranked["new"] = False
    if last_qbr is not None:
        before = _scored(tables, last_qbr, **options)
        earlier = set(before.loc[before["influencer"], "contact_id"])
        ranked["new"] = ranked["influencer"] & ~ranked["contact_id"].isin(earlier)
    columns = ["account_id", "contact_id", "name", "title", "role", *SIGNALS]
    columns += ["score", "strong_signals", "influencer", "new", "reasons"]
    ranked = ranked.reindex(columns=columns)
    ranked = ranked.sort_values(["account_id", "score"], ascending=[True, False])
    logger.info("ranked %d candidate stakeholder(s)", len(ranked))
    return ranked.reset_index(drop=True)


def org_chart(
    tables: dict[str, pd.DataFrame],
    *,
    as_of: pd.Timestamp,
    texts: pd.DataFrame | None = None,
    window_days: int = 365,
) -> pd.DataFrame:
    """Return one account's org chart as a table, with usage and Pulse.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        One account's slice: ``contacts`` (with ``manager_id``) and, where
        present, the tables :func:`influence_signals` reads.
    as_of : pandas.Timestamp
        The start of the as-of day, in UTC.
    texts : pandas.DataFrame, optional
        Scored texts (``source``, ``ref``, ``ts``, ``score``): each person's
        Pulse is the mean score of their tickets and survey comments.
    window_days : int
        Days of usage and Pulse counted.

    Returns
    -------
    pandas.DataFrame
        Every contact who joined before as-of, leavers included:
        ``contact_id``, ``name``, ``title``, ``role``, ``manager_id``,
        ``manager``, ``reports``, ``champion``, ``exec_sponsor``, ``left``,
        ``events``, ``pulse`` and ``influence`` (the Connector's score).
    """
    contacts = tables["contacts"]
    _require(contacts, ["contact_id", "name", "role", "manager_id"], "contacts")
    joined = ~(contacts.get("created_at", pd.Series(pd.NaT)) >= as_of)
    chart = contacts[joined.reindex(contacts.index).fillna(True).astype(bool)].copy()
    chart = chart.reset_index(drop=True)
    chart["left"] = (chart["left_at"] < as_of).fillna(False).astype(bool)
    chart["champion"] = chart["is_champion"].fillna(False).astype(bool)
    chart["champion"] |= chart["role"] == "champion"
    chart["exec_sponsor"] = chart["role"] == "exec_sponsor"
    names = chart.set_index("contact_id")["name"]
    chart["manager"] = chart["manager_id"].map(names)
    chart["reports"] = chart["contact_id"].map(chart.groupby("manager_id").size())
    chart["reports"] = chart["reports"].fillna(0).astype(int)

    usage = influence_signals(
        {**tables, "contacts": chart.drop(columns=["left_at"])},
        as_of=as_of,
        window_days=window_days,
    )
    chart["events"] = chart["contact_id"].map(usage.set_index("contact_id")["events"])
    chart["events"] = chart["events"].fillna(0.0)
    chart["pulse"] = _person_pulse(tables, chart, texts, as_of, window_days)
    chart["influence"] = _influence(tables, chart, as_of, window_days)
    columns = ["contact_id", "name", "title", "role", "manager_id", "manager"]
    columns += ["reports", "champion", "exec_sponsor", "left", "events"]
    return chart[[*columns, "pulse", "influence"]]


def _person_pulse(tables, chart, texts, as_of, window_days) -> pd.Series:
    """Return the mean Pulse of each person's ticket and survey texts."""
    if texts is None or texts.empty:
        return pd.Series(np.nan, index=chart.index)
    start = as_of - pd.Timedelta(days=window_days)
    recent = texts[(texts["ts"] >= start) & (texts["ts"] < as_of)]
    authors = []
    for name, key in (("tickets", "requester_id"), ("surveys", "contact_id")):
        frame = tables.get(name)
        if frame is not None:
            ref = frame.columns[0]
            authors.append(frame[[ref, key]].set_axis(["ref", "author"], axis=1))
    if not authors:
        return pd.Series(np.nan, index=chart.index)
    owned = recent.merge(pd.concat(authors), on="ref")
    per_person = owned.groupby("author")["score"].mean()
    return chart["contact_id"].map(per_person).astype(float).round(2)


def _influence(tables, chart, as_of, window_days) -> pd.Series:
    current = chart[~chart["left"]].drop(columns=["left"])
    scored = _scored(
        {**tables, "contacts": current},
        as_of,
        window_days,
        threshold=1.1,
        min_signals=0,
    )
    return chart["contact_id"].map(scored.set_index("contact_id")["score"])


def plot_org_chart(
    chart: pd.DataFrame, *, title: str = "Org chart", fontsize: float = 7.0
) -> Figure:
    """Draw an org chart table (:func:`org_chart`) as a figure.

    Managers stand above their teams; people without reports are stacked
    in a column under their manager. Node size follows product events,
    colour the role; a gold ring marks the champion, a black ring the exec
    sponsor; grey with "(left)" a leaver; the small square beside a name is
    the person's Pulse (red negative, green positive).

    Parameters
    ----------
    chart : pandas.DataFrame
        :func:`org_chart` output.
    title : str
    fontsize : float
        Label size in points; the figure grows to fit.

    Returns
    -------
    matplotlib.figure.Figure
    """
    graph = _org_graph(chart)
    layout = _OrgLayout(chart, fontsize=fontsize)
    layout.place_forest(graph)
    return layout.draw(graph, title=title)


def _org_graph(chart: pd.DataFrame):
    """Return the reporting lines as a forest (a manager cycle is cut)."""
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(chart["contact_id"])
    known = set(chart["contact_id"])
    edges = [
        (manager, person)
        for person, manager in zip(
            chart["contact_id"], chart["manager_id"], strict=True
        )
        if isinstance(manager, str) and manager in known and manager != person
    ]
    graph.add_edges_from(edges)
    while True:
        try:
            cycle = nx.find_cycle(graph)
        except nx.NetworkXNoCycle:
            return graph
        graph.remove_edge(*cycle[0])


class _OrgLayout:
    """Positions of an org chart in inches: 1 data unit is 1 inch.

    Each person's subtree is a box: the person on its top line, then their
    teams and their stack of people without reports, packed left to right
    into rows no wider than ``limit`` and indented under them. Boxes never
    overlap, and label widths are measured with the Agg renderer, so no
    label runs into another.
    """

    def __init__(self, chart: pd.DataFrame, *, fontsize: float):
        from matplotlib.backends.backend_agg import RendererAgg
        from matplotlib.font_manager import FontProperties

        self.rows = chart.set_index("contact_id")
        self.fontsize = fontsize
        self.row = max(fontsize * 2.6 / 72, 0.26)
        self.gap, self.indent, self.marker = 0.3, 0.3, 0.22
        measure = RendererAgg(10, 10, 72).get_text_width_height_descent
        font = FontProperties(size=fontsize)
        self.labels = {p: _label(self.rows.loc[p]) for p in self.rows.index}
        self.width = {
            p: measure(text, font, ismath=False)[0] / 72 + self.marker
            for p, text in self.labels.items()
        }
        area = sum(w + self.gap for w in self.width.values()) * self.row * 1.6
        self.limit = max(max(self.width.values()) + 2, float(np.sqrt(area * 1.8)))
        self.pos: dict = {}
        self.sizes: dict = {}
        self.lines: list = []

    def _items(self, graph, person) -> list:
        children = sorted(graph.successors(person), key=self._order)
        leaves = tuple(c for c in children if graph.out_degree(c) == 0)
        teams = [c for c in children if graph.out_degree(c) > 0]
        return ([leaves] if leaves else []) + teams

    def _size(self, graph, item) -> tuple[float, float]:
        if isinstance(item, tuple):
            return self.marker + max(self.width[c] for c in item), len(item) * self.row
        return self.subtree(graph, item)

    def _pack(self, graph, items) -> list[list]:
        rows, current, used = [], [], 0.0
        for item in items:
            width = self._size(graph, item)[0]
            if current and used + self.gap + width > self.limit - self.indent:
                rows.append(current)
                current, used = [], 0.0
            used += width + (self.gap if current else 0.0)
            current.append(item)
        return rows + ([current] if current else [])

    def subtree(self, graph, person) -> tuple[float, float]:
        """Return the width and height of ``person``'s subtree box."""
        if person not in self.sizes:
            width, height = self.width[person], self.row
            for row in self._pack(graph, self._items(graph, person)):
                sizes = [self._size(graph, item) for item in row]
                used = sum(w for w, _ in sizes) + self.gap * (len(sizes) - 1)
                width = max(width, self.indent + used)
                height += self.row * 0.7 + max(h for _, h in sizes)
            self.sizes[person] = (width, height)
        return self.sizes[person]

    def place(self, graph, person, left: float, top: float) -> None:
        """Place ``person`` and their subtree box from ``left``, ``top`` down."""
        x = left + self.marker / 2
        self.pos[person] = (x, top - self.row / 2)
        y = top - self.row
        for row in self._pack(graph, self._items(graph, person)):
            bus = y - self.row * 0.35
            self.lines.append([(x, self.pos[person][1]), (x, bus)])
            cursor = left + self.indent
            for item in row:
                drop = cursor + self.marker / 2
                self.lines.append([(x, bus), (drop, bus)])
                self._place_item(graph, item, cursor, y - self.row * 0.7, drop, bus)
                cursor += self._size(graph, item)[0] + self.gap
            y -= self.row * 0.7 + max(self._size(graph, i)[1] for i in row)

    def _place_item(self, graph, item, left, top, drop, bus) -> None:
        if not isinstance(item, tuple):
            self.lines.append([(drop, bus), (drop, top - self.row / 2)])
            self.place(graph, item, left, top)
            return
        for index, leaf in enumerate(item):
            self.pos[leaf] = (drop, top - (index + 0.5) * self.row)
        self.lines.append([(drop, bus), self.pos[item[-1]]])

    def _order(self, person):
        return (self.rows.loc[person, "role"] != "exec_sponsor", str(person))

    def place_forest(self, graph) -> None:
        """Place every tree, packed into rows like a manager's teams."""
        roots = sorted((n for n in graph if graph.in_degree(n) == 0), key=self._order)
        width, top = 1.0, 0.0
        for row in self._pack(graph, roots):
            cursor = 0.0
            for root in row:
                self.place(graph, root, cursor, top)
                cursor += self.subtree(graph, root)[0] + self.gap
            width = max(width, cursor - self.gap)
            top -= max(self.subtree(graph, r)[1] for r in row) + self.row
        self.size = (width, -top - self.row)

    def draw(self, graph, *, title: str) -> Figure:
        """Draw nodes, reporting lines, labels and the legend."""
        import networkx as nx
        from matplotlib.collections import LineCollection

        width, height = self.size
        # Title on the first line, the legend's two rows below it.
        head = 1.4
        fig = Figure(figsize=(max(width, 7.5) + 0.4, height + head + 0.2))
        axis = fig.add_axes((0, 0, 1, 1))
        axis.set_xlim(-0.2, max(width, 7.5) + 0.2)
        axis.set_ylim(-height - 0.2, head)
        axis.axis("off")
        axis.add_collection(LineCollection(self.lines, colors="#b0b0b0", lw=0.6))
        rows = self.rows.loc[list(graph.nodes)]
        rings = _ring_colours(rows)
        nx.draw_networkx_nodes(
            graph,
            self.pos,
            ax=axis,
            node_size=_node_sizes(rows),
            node_color=_node_colours(rows),
            edgecolors=rings,
            linewidths=[0 if ring == "none" else 2.0 for ring in rings],
        )
        self._draw_labels(axis, rows)
        axis.text(0, head - 0.15, title, fontsize=11, ha="left", va="center")
        _legend(fig, top=1 - 0.45 / fig.get_figheight())
        return fig

    def _draw_labels(self, axis, rows) -> None:
        pulse = rows["pulse"].astype(float)
        for person, row in rows.iterrows():
            x, y = self.pos[person]
            axis.text(
                x + self.marker / 2,
                y,
                self.labels[person],
                fontsize=self.fontsize,
                va="center",
                ha="left",
                color="#8a8a8a" if row["left"] else "#202020",
                gid=f"label-{person}",
            )
        scored = pulse.dropna()
        if not scored.empty:
            points = np.array([self.pos[p] for p in scored.index])
            axis.scatter(
                points[:, 0] - self.marker * 0.6,
                points[:, 1] - self.row * 0.25,
                s=9,
                marker="s",
                c=scored.to_numpy(),
                cmap="RdYlGn",
                vmin=-1,
                vmax=1,
                zorder=3,
            )


def _label(row: pd.Series) -> str:
    text = str(row["name"])
    if row.get("left"):
        text += " (left)"
    return text


def _node_sizes(rows: pd.DataFrame) -> list[float]:
    events = rows["events"].astype(float).fillna(0)
    top = events.max() if events.max() > 0 else 1.0
    sizes = 12 + 120 * np.sqrt(events / top)
    # Champion and exec sponsor stay large enough for their ring to show.
    mapped = rows["champion"] | rows["exec_sponsor"]
    return list(np.where(mapped, np.maximum(sizes, 60), sizes))


def _node_colours(rows: pd.DataFrame) -> list[str]:
    return [
        "#d0d0d0" if left else _ROLE_COLOURS.get(role, "#7f7f7f")
        for role, left in zip(rows["role"], rows["left"], strict=True)
    ]


def _ring_colours(rows: pd.DataFrame) -> list[str]:
    rings = []
    for champion, sponsor in zip(rows["champion"], rows["exec_sponsor"], strict=True):
        rings.append("#f2b600" if champion else "#000000" if sponsor else "none")
    return rings


def _legend(fig: Figure, *, top: float) -> None:
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], marker="o", ls="", color=colour, label=role.replace("_", " "))
        for role, colour in _ROLE_COLOURS.items()
    ]
    handles += [
        Line2D(
            [],
            [],
            marker="o",
            ls="",
            mfc="white",
            mec="#f2b600",
            mew=2,
            label="champion (ring)",
        ),
        Line2D(
            [],
            [],
            marker="o",
            ls="",
            mfc="white",
            mec="#000000",
            mew=2,
            label="exec sponsor (ring)",
        ),
        Line2D([], [], marker="o", ls="", color="#d0d0d0", label="left"),
        Line2D([], [], marker="s", ls="", color="#1a9850", label="Pulse (red-green)"),
    ]
    fig.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.0, top),
        ncols=min(len(handles), 6),
        fontsize=7,
        frameon=False,
        title="size: product events",
        title_fontsize=7,
    )
