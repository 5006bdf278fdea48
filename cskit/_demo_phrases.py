"""Survey, call and account phrases for the demo company.

Survey comments by sentiment, call titles, vendor and customer call lines,
KPI templates, churn reasons and touchpoint notes. Templates use the
``str.format`` fields listed in :mod:`cskit._demo_text`.
"""

from __future__ import annotations

__all__ = [
    "SURVEY_COMMENTS",
    "CALL_TITLES",
    "VENDOR_LINES",
    "CUSTOMER_LINES",
    "KPI_TEMPLATES",
    "CHURN_REASONS",
    "TOUCHPOINT_NOTES",
]


SURVEY_COMMENTS = {
    "positive": (
        "Love the platform, we built {n} apps in weeks.",
        "Support is fast and helpful.",
        "Our developers are very productive with it.",
        "Great product, the CSM really understands our business.",
        "Easy to use and reliable.",
        "Saved us a lot of manual work in finance.",
        "The new workflows feature is fantastic.",
        "Very happy, would recommend to peers.",
    ),
    "neutral": (
        "Good overall, but documentation could be better.",
        "Does the job. Pricing is a bit high.",
        "Fine for simple apps, complex ones are harder.",
        "OK. Some features are missing for our use case.",
        "Support is ok but sometimes slow to answer.",
    ),
    "negative": (
        "Too slow, our users complain every day.",
        "Too many outages lately, we are losing trust.",
        "Support takes days to reply.",
        "Price went up and we see little value.",
        "We are evaluating alternatives.",
        "Bugs after every release. Very frustrating.",
        "The platform is slow and the editor keeps freezing.",
        "Hard to justify the cost to our CFO.",
    ),
    "slow": (
        "Too slow, our users complain every day.",
        "The platform is slow and the editor keeps freezing.",
        "Apps take forever to load, people went back to Excel.",
        "Performance is the main issue, everything else is fine.",
    ),
}


CALL_TITLES = {
    "kickoff": ("Kickoff: goals and success plan", "Welcome and kickoff"),
    "training": (
        "Builder training: queries and components",
        "Training: workflows 101",
        "Admin training: permissions",
    ),
    "office_hours": ("Office hours", "Weekly office hours"),
    "dev_on_demand": ("Dev on demand: {app}", "Pairing session on {app}"),
    "qbr": ("Quarterly business review", "QBR - results and next quarter"),
    "exec_sponsor": ("Executive sponsor check-in", "Exec alignment call"),
    "other": ("Renewal discussion", "Roadmap preview", "Security review"),
}


VENDOR_LINES = {
    "kickoff": (
        "Welcome aboard! Today we want to agree on the first use case and a "
        "go-live date.",
        "Which process hurts the most today? That is usually the best first app.",
        "Our target is your first live app within thirty days.",
        "I'll send the success plan after the call.",
    ),
    "training": (
        "Let's start with queries, then bind them to a table.",
        "You can reuse this query across apps with a shared resource.",
        "Any questions before we move to workflows?",
        "I'll share the recording and the exercise files.",
    ),
    "office_hours": (
        "What are you working on this week?",
        "Good question, let me share my screen.",
        "That is a known limitation; the workaround is a transformer.",
    ),
    "dev_on_demand": (
        "Let's look at {app} together.",
        "I think the slowness comes from loading all rows; let's paginate.",
        "Try moving that logic into a workflow.",
    ),
    "qbr": (
        "Let's review the goals we set last quarter.",
        "You now have {n} active developers and several live apps.",
        "Here is what we see in adoption and support.",
        "For next quarter we propose two new use cases.",
        "How does this compare with what your leadership expects?",
    ),
    "exec_sponsor": (
        "Thank you for making time. We want to make sure we support your priorities.",
        "What does success look like for you this year?",
        "We can bring our product team in for the roadmap.",
    ),
    "other": (
        "Let's walk through the renewal options.",
        "Here is what's coming on the roadmap.",
        "Do you have any security questions we can answer?",
    ),
}


CUSTOMER_LINES = {
    "positive": (
        "Honestly the team loves it, we shipped {app} last month.",
        "Our users in operations are asking for more apps.",
        "We saved a lot of hours on manual reporting.",
        "This went really well, thanks for the help.",
        "We want to roll this out to another department.",
        "Great, that makes sense.",
        "The support team has been excellent.",
    ),
    "neutral": (
        "Can you send that over by email?",
        "Let me check with my team and come back to you.",
        "We have a few more developers joining next month.",
        "What about the mobile layout?",
        "Okay, I see.",
        "Do you have documentation for that?",
    ),
    "negative": (
        "To be frank, the performance has been a problem for weeks.",
        "Leadership is questioning the cost at renewal.",
        "We had three outages this quarter, that hurts our credibility.",
        "Our champion left and nobody owns the platform now.",
        "We are looking at other tools, to be transparent.",
        "Support tickets take too long to resolve.",
        "Usage dropped because people went back to spreadsheets.",
    ),
}


# (kpi, unit, direction, baseline range, target range, annual value range or None)
KPI_TEMPLATES = (
    (
        "Hours of manual reporting per week",
        "hours",
        "down",
        (60, 200),
        (10, 40),
        (50_000, 400_000),
    ),
    ("Average ticket resolution time", "days", "down", (5, 15), (1, 3), None),
    ("Apps in production", "count", "up", (0, 4), (8, 20), None),
    (
        "Order processing cycle time",
        "hours",
        "down",
        (48, 96),
        (8, 24),
        (100_000, 900_000),
    ),
    (
        "Self-service requests automated",
        "percent",
        "up",
        (5, 25),
        (50, 80),
        (30_000, 250_000),
    ),
    ("Spreadsheets retired", "count", "up", (0, 5), (20, 60), None),
)


CHURN_REASONS = (
    "budget cuts",
    "moved to a competitor",
    "low adoption",
    "champion left",
    "performance concerns",
    "merged with another company",
)


TOUCHPOINT_NOTES = {
    "qbr": "Reviewed goals, adoption and next quarter's plan.",
    "training": "Hands-on builder training.",
    "office_hours": "Open questions from developers.",
    "dev_on_demand": "Pairing session with a solutions engineer.",
    "kickoff": "Kickoff and success plan.",
    "exec_sponsor": "Executive sponsor alignment.",
    "webinar": "Product webinar.",
    "reference_call": "Reference call with a prospect.",
}
