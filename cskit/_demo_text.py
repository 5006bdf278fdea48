"""Text material for the synthetic demo company (:mod:`cskit.demo`).

This module holds the ticket material (fills, templates by theme, comment
greetings, follow-ups, replies and signatures) and re-exports the names of
:mod:`cskit._demo_names` and the phrases of :mod:`cskit._demo_phrases`, so the
generator reads all material as ``txt.NAME``. Templates use ``str.format``
fields filled by the generator: ``{app}``, ``{feature}``, ``{error}``, ``{n}``,
``{browser}``, ``{module}``, ``{connector}``, ``{name}``, ``{agent}``,
``{title}``, ``{company}``, ``{date}``.
"""

from __future__ import annotations

from cskit._demo_names import (
    AGENT_NAMES,
    APP_NOUNS,
    APP_PREFIXES,
    COMPANY_SUFFIXES,
    COMPANY_WORDS,
    CSM_NAMES,
    DEPARTMENTS,
    ENGINEER_NAMES,
    FIRST_NAMES,
    LAST_NAMES,
    TITLES,
)
from cskit._demo_phrases import (
    CALL_TITLES,
    CHURN_REASONS,
    CUSTOMER_LINES,
    KPI_TEMPLATES,
    SURVEY_COMMENTS,
    TOUCHPOINT_NOTES,
    VENDOR_LINES,
)

__all__ = [
    "FIRST_NAMES",
    "LAST_NAMES",
    "COMPANY_WORDS",
    "COMPANY_SUFFIXES",
    "CSM_NAMES",
    "AGENT_NAMES",
    "ENGINEER_NAMES",
    "DEPARTMENTS",
    "TITLES",
    "APP_NOUNS",
    "APP_PREFIXES",
    "FILLS",
    "TICKET_THEMES",
    "NEGATIVE_THEMES",
    "CUSTOMER_GREETINGS",
    "CUSTOMER_SIGNATURES",
    "CUSTOMER_FOLLOWUPS",
    "AGENT_REPLIES",
    "AGENT_SIGNATURES",
    "SURVEY_COMMENTS",
    "CALL_TITLES",
    "VENDOR_LINES",
    "CUSTOMER_LINES",
    "KPI_TEMPLATES",
    "CHURN_REASONS",
    "TOUCHPOINT_NOTES",
]


FILLS = {
    "feature": (
        "the query editor",
        "the table component",
        "workflows",
        "the REST connector",
        "SSO login",
        "the PDF export",
        "form validation",
        "the permissions screen",
        "scheduled jobs",
        "the mobile layout",
        "audit logs",
        "environment promotion",
    ),
    "error": (
        "Error 502: Bad Gateway",
        "TypeError: Cannot read properties of undefined",
        "Request timed out after 30000 ms",
        "ECONNRESET",
        "403 Forbidden",
        "Query failed: relation does not exist",
        "Something went wrong (code 5xx)",
    ),
    "browser": ("Chrome 131", "Edge", "Firefox", "Safari on macOS", "the desktop app"),
    "module": ("workflows", "ai_assist", "sso", "audit_log", "premium_support"),
    "connector": (
        "Postgres",
        "Snowflake",
        "Salesforce",
        "SAP",
        "Google Sheets",
        "REST API",
        "MySQL",
        "BigQuery",
    ),
}


# Each theme: (tags, priorities, [(subject, description), ...]).
TICKET_THEMES = {
    "bug": (
        ("bug",),
        ("normal", "high"),
        [
            (
                "{app}: button does nothing after latest release",
                "Since this morning the Submit button in {app} does nothing. No error "
                "in the UI, console shows: {error}. Reproduced in {browser}.",
            ),
            (
                "Table component loses sort order",
                "When users sort the table in {app} and then edit a row, the sort "
                "order resets. Our {n} users complain daily.",
            ),
            (
                "Form validation broken in {app}",
                "Required fields are no longer enforced in {feature}. People are "
                "submitting empty requests. Can you check?",
            ),
            (
                "Wrong totals in {app} after editing",
                "Totals shown in {app} are off by a few cents after edits. Finance "
                "noticed it in the monthly close. Looks like a rounding bug.",
            ),
            (
                "Export to PDF cuts off last column",
                "the PDF export drops the last column of wide tables. Happens for "
                "every report in {app}. Screenshot attached.",
            ),
            (
                "{error} when saving",
                "Getting '{error}' every time someone saves a record in {app}. "
                "Started after we connected {connector}.",
            ),
        ],
    ),
    "slowness": (
        ("performance", "slow"),
        ("normal", "high", "urgent"),
        [
            (
                "{app} is extremely slow",
                "Pages in {app} take {n} seconds to load. Users are giving up and "
                "going back to spreadsheets. This is becoming a real problem.",
            ),
            (
                "Queries to {connector} very slow since last week",
                "Query runs against {connector} went from 1s to {n}s. Nothing changed "
                "on our side. Please investigate, the team is frustrated.",
            ),
            (
                "Editor lag makes building apps painful",
                "The editor freezes for several seconds whenever we drag a component. "
                "Our developers say they cannot work like this.",
            ),
            (
                "Slow dashboard load for {n} users",
                "Dashboard in {app} is slow every Monday morning when everyone logs "
                "in. Is there a capacity issue?",
            ),
            (
                "Performance degradation again",
                "Again the platform is slow today ({browser}). Third time this "
                "month. We need a root cause, not a workaround.",
            ),
        ],
    ),
    "outage": (
        ("outage", "incident"),
        ("urgent", "high"),
        [
            (
                "URGENT: {app} down for all users",
                "{app} returns '{error}' for everyone. This is production and "
                "{n} people cannot work. Please call me asap.",
            ),
            (
                "Platform unavailable - production impact",
                "Nobody can log in since 08:40. Status page says all green. We are "
                "losing orders. Escalate please.",
            ),
            (
                "Workflows not running since last night",
                "Scheduled workflows did not run overnight, {n} jobs missing. "
                "Our morning reports are empty.",
            ),
            (
                "Login failing with SSO",
                "SSO login fails with '{error}'. Entire company locked out of {app}.",
            ),
        ],
    ),
    "how_to": (
        ("question", "how_to"),
        ("low", "normal"),
        [
            (
                "How do I connect {connector}?",
                "Hi, we want to use {connector} as a data source. Is there a guide "
                "for setting up credentials per environment?",
            ),
            (
                "Best way to give read-only access?",
                "Some of our {n} users should only see data, not edit. How do we set "
                "that up in the permissions screen?",
            ),
            (
                "Question about environments",
                "Can we promote {app} from staging to production without copying "
                "queries by hand?",
            ),
            (
                "How to schedule a job every weekday",
                "Is there a way to run a workflow only Monday-Friday at 7am our "
                "time? Could not find it in the docs.",
            ),
            (
                "Custom component question",
                "Can we build our own component and reuse it across apps? Any "
                "example would help our developers.",
            ),
        ],
    ),
    "feature_request": (
        ("feature_request",),
        ("low", "normal"),
        [
            (
                "Feature request: dark mode in editor",
                "Several developers asked for dark mode. Would be nice to have.",
            ),
            (
                "Request: version history for queries",
                "We would love version history for queries like we have for apps.",
            ),
            (
                "Need bulk edit in table component",
                "Our ops team edits {n} rows at once. A bulk edit would save hours.",
            ),
            (
                "Allow {module} on our plan?",
                "Is {module} available for us? We'd like to trial it for {app}.",
            ),
            (
                "Idea: Slack notifications for workflows",
                "It would help if failed workflows posted to a Slack channel.",
            ),
        ],
    ),
    "billing": (
        ("billing",),
        ("normal", "high"),
        [
            (
                "Invoice does not match seat count",
                "We are billed for {n} seats but only use far fewer. Please correct "
                "the invoice and explain the difference.",
            ),
            (
                "Price increase at renewal?",
                "Our renewal quote is much higher than last year. Before we sign we "
                "need to understand the change.",
            ),
            (
                "Cancel unused {module} add-on",
                "We don't use {module} anymore. How do we remove it from the contract?",
            ),
            (
                "Duplicate charge this month",
                "Our card was charged twice this month. Please refund one.",
            ),
        ],
    ),
    "access": (
        ("access", "sso"),
        ("normal", "high"),
        [
            (
                "New hire cannot log in",
                "A new developer gets '{error}' when logging in. Invite was sent "
                "yesterday.",
            ),
            (
                "Remove access for leaver",
                "Please confirm that a person who left is fully removed, including "
                "API tokens.",
            ),
            (
                "SAML certificate rotation",
                "Our IdP certificate expires next week. What is the process on your "
                "side?",
            ),
        ],
    ),
    "praise": (
        ("feedback",),
        ("low",),
        [
            (
                "Thank you for the quick fix!",
                "Just wanted to say thanks, the fix for {app} works perfectly and "
                "the team is very happy.",
            ),
            (
                "Great webinar",
                "The webinar on {feature} was excellent. Can we get the recording?",
            ),
            (
                "Kudos to your support team",
                "Your agent went above and beyond yesterday. {app} is live and users "
                "love it.",
            ),
        ],
    ),
}


NEGATIVE_THEMES = ("bug", "slowness", "outage", "billing")


CUSTOMER_GREETINGS = (
    "Hi team,",
    "Hello,",
    "Hi there,",
    "Hey support,",
    "Good morning,",
    "Dear Support,",
    "",
)


CUSTOMER_SIGNATURES = (
    "Thanks,\n{name}",
    "Best regards,\n{name}\n{title} | {company}",
    "Cheers\n{name}",
    "Sent from my iPhone",
    "--\n{name}\n{title}\n{company}\nThis e-mail and any attachments are "
    "confidential. If you are not the intended recipient, delete it.",
    "{name}",
)


CUSTOMER_FOLLOWUPS = {
    "negative": (
        "Any update on this? It is blocking our team.",
        "Still happening today. This is really frustrating.",
        "We tried the workaround, it did not help.",
        "Escalating this internally. We need an ETA.",
        "Same problem again, please reopen.",
    ),
    "positive": (
        "Thanks, that worked!",
        "Perfect, you can close this.",
        "Great, thank you for the quick help.",
        "Confirmed fixed on our side. Much appreciated.",
    ),
    "neutral": (
        "Attached the screenshot you asked for.",
        "Here is the HAR file.",
        "We use {browser}, if that helps.",
        "It happens for {n} users, not everyone.",
    ),
}


AGENT_REPLIES = (
    "Thanks for reaching out. Could you share a screenshot and the time it "
    "happened so we can look at the logs?",
    "I have reproduced the issue and escalated it to engineering. I will update "
    "you as soon as I hear back.",
    "This is fixed in today's release. Could you refresh and try again?",
    "Here is the guide for that: Settings > Data sources > {connector}. Let me "
    "know if anything is unclear.",
    "Sorry for the trouble. Our status page now shows the incident; engineers "
    "are working on it.",
    "I've passed this to our billing team, they will reply within one business day.",
    "Great question! You can do this with a scheduled workflow and a cron expression.",
    "Following up on this ticket: did the suggested change solve it?",
)


AGENT_SIGNATURES = (
    "Best,\n{agent}\nCustomer Support",
    "Kind regards,\n{agent}",
    "Cheers,\n{agent} | Support Engineering",
)
