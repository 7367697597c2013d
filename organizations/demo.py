"""Demo accounts: one per role in Allerød, plus one in Norddjurs to show that data is kept apart.

The passwords are printed by `./dev demo` and are for a local demonstration only.
"""

from .models import Role

DEMO_ACCOUNTS = [
    # username, first name, last name, municipality code, role, password
    ("raadsmedlem", "Rita", "Rådsmedlem", 201, Role.COUNCIL_MEMBER, "demo-raadsmedlem"),
    ("hr", "Hanne", "HR-konsulent", 201, Role.HR_OFFICER, "demo-hr"),
    ("analytiker", "Anders", "Analytiker", 201, Role.ANALYST, "demo-analytiker"),
    ("administrator", "Ada", "Administrator", 201, Role.ADMINISTRATOR, "demo-administrator"),
    ("norddjurs-hr", "Niels", "Norddjurs", 707, Role.HR_OFFICER, "demo-norddjurs"),
]
