"""Text material for the synthetic demo company (:mod:`cskit.demo`).

Names, titles, ticket templates by theme, comment scaffolding, survey
comments by sentiment and call lines by meeting kind. Templates use
``str.format`` fields filled by the generator: ``{app}``, ``{feature}``,
``{error}``, ``{n}``, ``{browser}``, ``{module}``, ``{connector}``,
``{name}``, ``{agent}``, ``{title}``, ``{company}``, ``{date}``.
"""

from __future__ import annotations

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

FIRST_NAMES = (
    "Anna Ben Carla David Elena Felix Grace Hiro Ines Jonas Kate Liam Maya Noah "
    "Olga Pedro Quinn Rosa Sam Tara Umar Vera Wei Xenia Yusuf Zoe Aiko Bruno "
    "Chloe Dmitri Emma Farid Greta Hugo Isla Jamal Kenji Lena Marco Nadia Oscar "
    "Priya Rafael Sofia Tomas Uma Victor Wanda Yara Zara Amir Beatriz Chen "
    "Daniela Erik Fatima Gustav Hannah Ivan Julia"
).split()

LAST_NAMES = (
    "Adler Baker Costa Dubois Eriksen Fischer Garcia Hoffmann Ito Jensen Kowalski "
    "Larsen Meyer Nakamura Olsen Patel Quinlan Rossi Schmidt Tanaka Ueda Varga "
    "Weber Xu Yamamoto Zimmermann Alvarez Brennan Chowdhury Dalton Engel Ferreira "
    "Gallagher Haddad Ivanova Jovanovic Keller Lindqvist Moreau Novak Okafor "
    "Petrov Ramirez Sato Thompson Ulrich Vogel Walsh Yilmaz Zhang Abbott Becker "
    "Clarke Dimitrov Evans Fournier Gupta Horvat Ibrahim Kim"
).split()

COMPANY_WORDS = (
    "Northwind Bluepeak Cedar Harbor Ironleaf Meridian Summit Brightwater Falcon "
    "Granite Helix Juniper Keystone Lumen Maple Nimbus Orchid Pioneer Quarry "
    "Redwood Silverline Tidewater Umbra Vantage Willow Zephyr Atlas Beacon Copper "
    "Delta Ember Fjord Glacier Horizon Indigo Jasper Kestrel Lighthouse Mosaic "
    "Nova Obsidian Prairie Quantum Riverbend Sequoia Thistle Upland Vertex"
).split()

COMPANY_SUFFIXES = (
    "Logistics",
    "Health",
    "Foods",
    "Insurance",
    "Manufacturing",
    "Energy",
    "Retail",
    "Bank",
    "Telecom",
    "Pharma",
    "Group",
    "Systems",
    "Freight",
    "Hospitality",
    "Utilities",
    "Analytics",
    "Industries",
    "Labs",
)

CSM_NAMES = (
    "Alice Moreno",
    "Bilal Hassan",
    "Claire Dubois",
    "Diego Santos",
    "Erin O'Neill",
    "Farah Khan",
    "Gabriel Lee",
    "Hanna Virtanen",
)

AGENT_NAMES = (
    "Sam (Support)",
    "Jordan",
    "Taylor R.",
    "Morgan Lee",
    "Casey",
    "Riley Chen",
    "Avery",
    "Noor",
    "Kai Support Team",
)

ENGINEER_NAMES = ("Priya Raman", "Tom Becker", "Lucia Ortega", "Kwame Mensah")

DEPARTMENTS = (
    "Engineering",
    "IT",
    "Operations",
    "Finance",
    "Sales",
    "Customer Service",
    "HR",
    "Supply Chain",
    "Marketing",
    "Legal",
)

TITLES = {
    "exec_sponsor": ("CTO", "CIO", "COO", "VP Digital Transformation", "CEO"),
    "economic_buyer": ("CFO", "VP Finance", "Head of Procurement", "Finance Director"),
    "champion": (
        "Head of Internal Tools",
        "Automation Lead",
        "Platform Owner",
        "Director of Operations Excellence",
    ),
    "admin": ("IT Administrator", "Systems Administrator", "Platform Admin"),
    "developer": (
        "Software Engineer",
        "Citizen Developer",
        "Business Analyst",
        "Low-code Developer",
        "Solutions Architect",
        "Data Engineer",
        "Automation Specialist",
    ),
    "end_user": (
        "Operations Associate",
        "Account Manager",
        "Claims Handler",
        "Warehouse Coordinator",
        "HR Generalist",
        "Sales Representative",
        "Customer Service Agent",
        "Field Technician",
        "Accountant",
    ),
    "other": ("Project Manager", "Team Lead", "Consultant", "Intern", "Analyst"),
}

APP_PREFIXES = (
    "Expense",
    "Inventory",
    "Onboarding",
    "Claims",
    "Vendor",
    "Shift",
    "Asset",
    "Incident",
    "Quote",
    "Leave",
    "Contract",
    "Field Service",
    "Order",
    "Audit",
    "Customer 360",
    "Procurement",
    "Training",
    "Fleet",
    "Returns",
    "Budget",
)

APP_NOUNS = (
    "Tracker",
    "Portal",
    "Approvals",
    "Dashboard",
    "Console",
    "Planner",
    "Manager",
    "Hub",
    "Intake",
    "Review Tool",
)

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
