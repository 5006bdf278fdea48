"""Names for the demo company (:mod:`cskit.demo`).

First and last names, company words and suffixes, CSM, agent and engineer
names, departments, job titles by role, and app name parts.
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
    "APP_PREFIXES",
    "APP_NOUNS",
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
