"""The health score: a configurable, explained score per account.

A health configuration (``params/health.yaml``, section ``health:``, or a
packaged preset) holds one or more *profiles*. A profile lists *measures*:
a metric of the metrics table and how its value maps to points
(``thresholds``, ``linear``, ``bounded_linear`` or ``tiers``, each edge
inclusive or exclusive as written). Measures fall into *groups*; weights are
normalised, so any scale works. The profile also says what a missing value
does (``skip`` and redistribute the weight, ``worst`` points, or a fixed
number of points), where rounding happens, how measures combine
(``weighted_mean``, ``worst`` signal wins, or ``additive`` points from a
``neutral`` start) and the band cut-offs with their edges. Accounts get a
profile by segment and lifecycle phase (``assign:``), else the default.

:func:`score_health` takes a metrics table (one row per account, the
columns of :func:`cskit.metrics.portfolio_metrics`) and returns every
account's score, band, group scores and, per measure, the value, points,
effective weight and contribution, with the profile's hash. The history
helpers store scores per as-of date in the workspace and explain what moved;
:func:`backtest` measures a configuration against churn outcomes.

Limitations
-----------
A metric that is not ``ok`` (``not_available`` or ``undefined``) is missing
for the health score; the two are not told apart by the missing-data rule.
Half-up rounding first rounds to 9 decimals to remove binary noise, so a
value within 1e-9 of a rounding edge is taken as on the edge.
"""

from __future__ import annotations

import logging

from cskit._health_backtest import Backtest, backtest, churn_dates
from cskit._health_backtest import _auc as _auc
from cskit._health_backtest import _lift as _lift
from cskit._health_config import (
    ANNOUNCED_METRICS,
    SIGNAL_METRICS,
    Assignment,
    Band,
    HealthConfig,
    Measure,
    PointMapping,
    Profile,
    Rounding,
    Rule,
    Tier,
    known_metrics,
)
from cskit._health_config import _suggest as _suggest
from cskit._health_history import (
    health_trend,
    history_rows,
    movers,
    plot_health_history,
    portfolio_bands,
    read_health_history,
    what_moved,
    write_health_history,
)
from cskit._health_loading import (
    PRESETS,
    load_health_config,
    load_section,
    profile_hash,
)
from cskit._health_scoring import HealthScores, health_drivers, score_health

__all__ = [
    "ANNOUNCED_METRICS",
    "SIGNAL_METRICS",
    "PRESETS",
    "Rule",
    "Tier",
    "PointMapping",
    "Measure",
    "Rounding",
    "Band",
    "Profile",
    "Assignment",
    "HealthConfig",
    "HealthScores",
    "known_metrics",
    "load_section",
    "load_health_config",
    "profile_hash",
    "score_health",
    "health_drivers",
    "history_rows",
    "write_health_history",
    "read_health_history",
    "health_trend",
    "what_moved",
    "plot_health_history",
    "portfolio_bands",
    "movers",
    "churn_dates",
    "Backtest",
    "backtest",
]


logger = logging.getLogger(__name__)
