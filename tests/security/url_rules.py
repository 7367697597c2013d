"""Who may open which URL: the authorisation matrix, as data.

Every URL pattern the project serves must match a rule here, by its name (``admin:…`` for the admin)
or, for unnamed patterns, by ``route:<the route>``; glob patterns (``admin:*_changelist``) are allowed
and the first matching key wins, so put exact names before globs. A URL without a rule fails
``test_every_url_has_a_rule``: deny by default.

Personas: ``anonymous``; ``council_member``, ``hr_officer``, ``analyst``, ``administrator`` of Allerød;
``outsider`` = an administrator of Norddjurs. Allerød and Norddjurs are unpublished in the matrix.

A rule gives the outcome for
- ``anonymous``;
- ``home``: each role on its own municipality's object (for the outsider: Norddjurs's);
- ``foreign``: each role on another municipality's object (and, for pages with a municipality in the
  address, on another municipality's object smuggled under one's own municipality's address);
- ``post_home`` / ``post_foreign``: a POST to a write endpoint, checked for the personas it must refuse
  (nothing may change: no audit entry, no admin log entry, no new or changed row).

To add a URL: give it a name, add a rule below (and, if it takes an object, a line in URL_OBJECTS of
test_authorization_matrix.py). See docs/security.md, "Adding a URL".
"""

from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase

# Outcome classes ------------------------------------------------------------------------------------
OK = "200 ok"
LOGIN = "redirect to login"
FORBIDDEN = "403 forbidden"
NOT_FOUND = "404 not found"
GONE = "admin 'does not exist' redirect"
REDIRECT = "other redirect"
UNAUTHORIZED = "401 unauthorised"
NOT_ALLOWED = "405 method not allowed"
BAD_REQUEST = "400 bad request"

ROLES = ("council_member", "hr_officer", "analyst", "administrator")
PERSONAS = ("anonymous", *ROLES, "outsider")
DENIED = {LOGIN, FORBIDDEN, NOT_FOUND, GONE, UNAUTHORIZED, NOT_ALLOWED, BAD_REQUEST}


def roles(council_member, hr_officer, analyst, administrator) -> dict[str, str]:
    return {
        "council_member": council_member,
        "hr_officer": hr_officer,
        "analyst": analyst,
        "administrator": administrator,
    }


def every(outcome) -> dict[str, str]:
    return roles(outcome, outcome, outcome, outcome)


@dataclass(frozen=True)
class Rule:
    anonymous: str
    home: dict[str, str]
    foreign: dict[str, str] | None = None  # None: the URL names no municipality's object
    post_home: dict[str, str] | None = None  # None: not a write endpoint
    post_foreign: dict[str, str] | None = None
    query: str = ""
    note: str = ""
    # (persona, target) → outcome, where the data rather than the permission decides.
    data_outcomes: dict = field(default_factory=dict)

    @property
    def scoped(self) -> bool:
        return self.foreign is not None


# Site pages -----------------------------------------------------------------------------------------
# Members read their own municipality; an outsider gets 404 (not even "it exists"); an anonymous
# visitor of an unpublished municipality is sent to the login page.
PAGE = Rule(anonymous=LOGIN, home=every(OK), foreign=every(NOT_FOUND))
# Exports take data out: analysts, HR officers and administrators; a council member reads only.
EXPORT = Rule(
    anonymous=LOGIN,
    home=roles(FORBIDDEN, OK, OK, OK),
    foreign=every(NOT_FOUND),
)
# The read-only API: token or session; the roles that may export; other municipalities' rows 404.
API_LIST = Rule(anonymous=UNAUTHORIZED, home=roles(FORBIDDEN, OK, OK, OK))
API_DETAIL = Rule(
    anonymous=UNAUTHORIZED,
    home=roles(FORBIDDEN, OK, OK, OK),
    foreign=roles(FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND),
)

# The admin ------------------------------------------------------------------------------------------
# What each staff role may do with each model in the admin — v view, a add, c change, d delete — as
# docs/roles.md and the role migrations say. Council members and analysts are not staff: the admin
# sends them (and anonymous visitors) to its login page for every URL.
ADMIN_PERMISSIONS = {
    #  model                                    HR officer  administrator
    "organizations_municipality": ("v", "vc"),
    "organizations_organisationalunit": ("v", "vacd"),
    "organizations_membership": ("", "vacd"),
    "organizations_body": ("v", "v"),
    "employment_plan_employmentplan": ("v", "vacd"),
    "employment_plan_planfact": ("v", "vacd"),
    "employment_plan_focusarea": ("v", "vacd"),
    "employment_plan_initiative": ("vc", "vacd"),
    "employment_plan_indicator": ("v", "vacd"),
    "employment_plan_measurement": ("vac", "vacd"),
    "employment_plan_comparisonmeasurement": ("v", "vacd"),
    "recommendations_report": ("v", "vac"),
    "recommendations_reportfact": ("v", "v"),
    "recommendations_theme": ("v", "vac"),
    "recommendations_recommendation": ("vc", "vac"),
    "recommendations_statusupdate": ("v", "v"),  # the history is never edited
    "recommendations_councildecision": ("vac", "vacd"),
    "workforce_scenario": ("v", "vacd"),
    "workforce_staffingsnapshot": ("vac", "vacd"),
    "workforce_institutionsize": ("v", "vacd"),
    "workforce_demanddriver": ("v", "vacd"),
    "workforce_staffingnorm": ("v", "vacd"),
    "workforce_workforcefact": ("v", "vacd"),
    "workforce_referenceshortage": ("v", "vacd"),
    "audit_auditentry": ("", "v"),  # read-only for everyone
    "followup_followupround": ("v", "vacd"),
    "followup_frozenannex": ("v", "v"),  # an approved annex is never changed or deleted
}
# Shared by every municipality (no municipality's object): lists only superusers maintain.
GLOBAL_ADMIN_PERMISSIONS = {
    "organizations_profession": ("v", "v"),
    "organizations_sourcedocument": ("", ""),
    "organizations_user": ("", ""),  # accounts: superusers; administrators manage memberships
    "recommendations_status": ("v", "v"),
    "recommendations_addressee": ("v", "v"),
    "workforce_pipelinemodel": ("v", "v"),
    "auth_group": ("", ""),
    "axes_accessattempt": ("", ""),
    "axes_accesslog": ("", ""),
    "axes_accessfailurelog": ("", ""),
    # The background worker's queue (django-tasks): operators (superusers) only; a person follows
    # their own import on its job page.
    "django_tasks_database_dbtaskresult": ("", ""),
}


def _staff(hr_officer, administrator) -> dict[str, str]:
    return roles(LOGIN, hr_officer, LOGIN, administrator)


def _may(perms: str, letters: str) -> bool:
    return any(letter in perms for letter in letters)


def _admin_rules(model: str, hr: str, admin: str, scoped: bool) -> dict[str, Rule]:
    def each(outcome_for) -> dict[str, str]:
        return _staff(outcome_for(hr), outcome_for(admin))

    def optional(outcome_for):
        return each(outcome_for) if scoped else None

    # A POST by a denied persona; an allowed persona's POST is not part of the matrix (None).
    def denied_post(allowed: str, refusal: str):
        return lambda p: None if _may(p, allowed) else refusal

    return {
        f"admin:{model}_changelist": Rule(
            anonymous=LOGIN, home=each(lambda p: OK if _may(p, "vc") else FORBIDDEN)
        ),
        f"admin:{model}_add": Rule(
            anonymous=LOGIN,
            home=each(lambda p: OK if _may(p, "a") else FORBIDDEN),
            post_home=each(denied_post("a", FORBIDDEN)),
        ),
        f"admin:{model}_change": Rule(
            anonymous=LOGIN,
            home=each(lambda p: OK if _may(p, "vc") else FORBIDDEN),
            foreign=optional(lambda p: GONE if _may(p, "vc") else FORBIDDEN),
            post_home=each(lambda p: None if _may(p, "c") else FORBIDDEN),
            post_foreign=optional(lambda p: GONE if _may(p, "c") else FORBIDDEN),
        ),
        f"admin:{model}_delete": Rule(
            anonymous=LOGIN,
            home=each(lambda p: OK if _may(p, "d") else FORBIDDEN),
            foreign=optional(lambda p: GONE if _may(p, "d") else FORBIDDEN),
            post_home=each(lambda p: None if _may(p, "d") else FORBIDDEN),
            post_foreign=optional(lambda p: GONE if _may(p, "d") else FORBIDDEN),
        ),
        # The history page looks the object up in the user's list first: not there, "does not exist".
        f"admin:{model}_history": Rule(
            anonymous=LOGIN,
            home=each(lambda p: OK if _may(p, "vc") else (GONE if scoped else FORBIDDEN)),
            foreign=optional(lambda p: GONE),
        ),
    }


def _all_admin_rules() -> dict[str, Rule]:
    rules = {}
    for model, (hr, admin) in ADMIN_PERMISSIONS.items():
        rules.update(_admin_rules(model, hr, admin, scoped=True))
    for model, (hr, admin) in GLOBAL_ADMIN_PERMISSIONS.items():
        rules.update(_admin_rules(model, hr, admin, scoped=False))
    return rules


STAFF = _staff(OK, OK)
STAFF_ONLY_WRITE_VIEW = Rule(
    anonymous=LOGIN,
    home=STAFF,
    foreign=_staff(NOT_FOUND, NOT_FOUND),
    post_home=_staff(None, None),
    post_foreign=_staff(NOT_FOUND, NOT_FOUND),
)

RULES: dict[str, Rule] = {
    # Site ------------------------------------------------------------------------------------------
    "home": Rule(anonymous=OK, home=every(OK)),
    "login": Rule(anonymous=OK, home=every(OK)),
    "logout": Rule(anonymous=NOT_ALLOWED, home=every(NOT_ALLOWED), note="POST only"),
    # One's own password: signed in. Anyone may ask for a reset link; the link's page is 200 with
    # "this link does not work" for a made-up token (the matrix's), and sets nothing.
    "password_change": Rule(anonymous=LOGIN, home=every(OK), post_home=every(None)),
    "password_change_done": Rule(anonymous=LOGIN, home=every(OK)),
    "password_reset": Rule(anonymous=OK, home=every(OK)),
    "password_reset_done": Rule(anonymous=OK, home=every(OK)),
    "password_reset_confirm": Rule(anonymous=OK, home=every(OK), note="a made-up token"),
    "password_reset_complete": Rule(anonymous=OK, home=every(OK)),
    # Single sign-on (the matrix configures one provider, MATRIX_PROVIDER): anyone may be sent to its
    # login page; its answer is refused without the state of this browser's own sign-in, and the
    # refusal lets nobody in and changes no one's rights.
    "oidc_login": Rule(anonymous=REDIRECT, home=every(REDIRECT), note="to the provider"),
    "oidc_callback": Rule(anonymous=FORBIDDEN, home=every(FORBIDDEN), note="no state: refused"),
    "set_language": Rule(anonymous=REDIRECT, home=every(REDIRECT)),
    "accessibility-statement": Rule(anonymous=OK, home=every(OK)),
    "municipality-detail": PAGE,
    "recommendation-reports": PAGE,
    "report-detail": PAGE,
    "recommendation-detail": PAGE,
    "employment-plan-list": PAGE,
    "employment-plan-barometer": PAGE,
    "employment-plan-indicator": PAGE,
    "workforce-overview": PAGE,
    "workforce-institutions": PAGE,
    "workforce-compare": PAGE,
    "workforce-export": Rule(
        anonymous=EXPORT.anonymous,
        home=EXPORT.home,
        foreign=EXPORT.foreign,
        # Norddjurs has no staffing data: its own administrator gets "nothing to project" (404)
        # after the permission check passed. Allerød's roles check the permission itself.
        data_outcomes={("outsider", "home"): NOT_FOUND},
    ),
    "dashboard-recommendations": PAGE,
    "dashboard-recommendations [csv]": Rule(
        anonymous=LOGIN, home=EXPORT.home, foreign=EXPORT.foreign, query="format=csv"
    ),
    "dashboard-indicators": PAGE,
    "dashboard-indicators [csv]": Rule(
        anonymous=LOGIN, home=EXPORT.home, foreign=EXPORT.foreign, query="format=csv"
    ),
    "dashboard-institutions": PAGE,
    "dashboard-institutions [csv]": Rule(
        anonymous=LOGIN, home=EXPORT.home, foreign=EXPORT.foreign, query="format=csv"
    ),
    "meeting-report": PAGE,
    # Follow-up rounds: read by every member; an owner's tasks are their own (the list is of the
    # signed-in user's items; updating one is a POST that finds only open rounds' items).
    "followup-rounds": PAGE,
    "followup-round": PAGE,
    "followup-annex": PAGE,
    "followup-annex-pdf": PAGE,
    "followup-annex-xlsx": PAGE,
    "my-tasks": Rule(anonymous=LOGIN, home=every(OK)),
    "my-task-update": Rule(
        anonymous=LOGIN,
        home=every(NOT_ALLOWED),
        foreign=every(NOT_ALLOWED),
        post_home=every(NOT_FOUND),
        post_foreign=every(NOT_FOUND),
        note="the matrix's rounds are approved, not open: nobody's update is taken",
    ),
    # Following: any signed-in reader follows what they may see (a POST; the page's own 404 for
    # what they may not, also smuggled under their own address); the list is their own follows.
    "follow-recommendation": Rule(
        anonymous=LOGIN,
        home=every(NOT_ALLOWED),
        foreign=every(NOT_FOUND),
        post_home=every(None),
        post_foreign=every(NOT_FOUND),
    ),
    "follow-report": Rule(
        anonymous=LOGIN,
        home=every(NOT_ALLOWED),
        foreign=every(NOT_FOUND),
        post_home=every(None),
        post_foreign=every(NOT_FOUND),
    ),
    "my-follows": Rule(anonymous=LOGIN, home=every(OK)),
    # The e-mails' unsubscribe link: no login, the signature decides; a made-up one is refused
    # (400) and its POST stops nothing.
    "follow-unsubscribe": Rule(
        anonymous=BAD_REQUEST,
        home=every(BAD_REQUEST),
        post_home=every(BAD_REQUEST),
        note="a made-up token",
    ),
    "export-page": EXPORT,
    "export-workbook": EXPORT,
    "export-subject": Rule(
        anonymous=LOGIN, home=EXPORT.home, foreign=EXPORT.foreign, note="subject: measurements"
    ),
    "export-subject [json]": Rule(
        anonymous=LOGIN, home=EXPORT.home, foreign=EXPORT.foreign, query="format=json"
    ),
    "dashboard-recommendations [xlsx]": Rule(
        anonymous=LOGIN, home=EXPORT.home, foreign=EXPORT.foreign, query="format=xlsx"
    ),
    # The API ----------------------------------------------------------------------------------------
    "api-token": Rule(
        anonymous=LOGIN,
        home=roles(FORBIDDEN, OK, OK, OK),
        post_home=roles(FORBIDDEN, None, None, None),
    ),
    "api-root": API_LIST,
    "api-*-list": API_LIST,
    "api-*-detail": API_DETAIL,
    # The admin: its own pages -------------------------------------------------------------------------
    "admin:index": Rule(anonymous=LOGIN, home=STAFF),
    "admin:login": Rule(anonymous=OK, home=roles(OK, REDIRECT, OK, REDIRECT)),
    # POST only; the admin sends anyone who is not staff to its index (and from there to its login).
    "admin:logout": Rule(
        anonymous=REDIRECT, home=roles(REDIRECT, NOT_ALLOWED, REDIRECT, NOT_ALLOWED)
    ),
    "admin:password_change": Rule(anonymous=LOGIN, home=STAFF),
    "admin:password_change_done": Rule(anonymous=LOGIN, home=STAFF),
    "admin:jsi18n": Rule(anonymous=LOGIN, home=STAFF),
    "admin:app_list": Rule(anonymous=LOGIN, home=STAFF, note="app: recommendations"),
    "admin:autocomplete": Rule(
        anonymous=LOGIN, home=_staff(FORBIDDEN, FORBIDDEN), note="no admin uses autocomplete"
    ),
    "admin:view_on_site": Rule(
        anonymous=LOGIN,
        home=_staff(NOT_FOUND, NOT_FOUND),
        foreign=_staff(NOT_FOUND, NOT_FOUND),
        note="no model has get_absolute_url",
    ),
    "route:admin/(?P<url>.*)$": Rule(
        anonymous=LOGIN, home=_staff(NOT_FOUND, NOT_FOUND), note="unknown admin address"
    ),
    # /admin/<model>/<id>/ only redirects to the change page, which checks.
    "route:admin/*/<path:object_id>/": Rule(
        anonymous=LOGIN, home=_staff(REDIRECT, REDIRECT), foreign=_staff(REDIRECT, REDIRECT)
    ),
    # The admin: custom views --------------------------------------------------------------------------
    "admin:recommendations_recommendation_status": STAFF_ONLY_WRITE_VIEW,
    "admin:employment_plan_employmentplan_enter_values": STAFF_ONLY_WRITE_VIEW,
    # Opening and approving a round: POST only; the administrators of the round's municipality.
    "admin:followup_followupround_open": Rule(
        anonymous=LOGIN,
        home=_staff(NOT_ALLOWED, NOT_ALLOWED),
        foreign=_staff(NOT_ALLOWED, NOT_ALLOWED),
        post_home=_staff(FORBIDDEN, None),
        post_foreign=_staff(NOT_FOUND, NOT_FOUND),
    ),
    # The preview of a round's e-mails: those who may change the round.
    "admin:followup_followupround_digests": Rule(
        anonymous=LOGIN,
        home=_staff(FORBIDDEN, OK),
        foreign=_staff(NOT_FOUND, NOT_FOUND),
    ),
    "admin:followup_followupround_approve": Rule(
        anonymous=LOGIN,
        home=_staff(NOT_ALLOWED, NOT_ALLOWED),
        foreign=_staff(NOT_ALLOWED, NOT_ALLOWED),
        post_home=_staff(FORBIDDEN, None),
        post_foreign=_staff(NOT_FOUND, NOT_FOUND),
    ),
    # Imports (core.admin_import): the page checks the permission somewhere; each row is checked
    # against its own municipality. A job's page is its starter's alone (a job of the HR officer).
    "admin:*_import": Rule(anonymous=LOGIN, home=STAFF, post_home=_staff(None, None)),
    "admin:*_import_job": Rule(
        anonymous=LOGIN,
        home=_staff(OK, NOT_FOUND),
        note="only the person who started the job sees it",
    ),
    "admin:audit_auditentry_export": Rule(anonymous=LOGIN, home=_staff(FORBIDDEN, OK)),
    # Failed logins: those who read the audit log (user names of their own members only).
    "admin:audit_auditentry_login_failures": Rule(anonymous=LOGIN, home=_staff(FORBIDDEN, OK)),
    # django-import-export's export form on the lists that have one: the roles that may export.
    "admin:*_export": Rule(anonymous=LOGIN, home=STAFF),
    "admin:auth_user_password_change": Rule(
        anonymous=LOGIN,
        home=_staff(FORBIDDEN, FORBIDDEN),
        post_home=_staff(FORBIDDEN, FORBIDDEN),
        note="accounts are superusers' business",
    ),
    # The admin: every model's list, add, change, delete and history ------------------------------
    **_all_admin_rules(),
}


# A round can be deleted only while it is being prepared: the matrix's own rounds are approved.
RULES["admin:followup_followupround_delete"] = replace(
    RULES["admin:followup_followupround_delete"],
    data_outcomes={("administrator", "home"): FORBIDDEN, ("outsider", "home"): FORBIDDEN},
)


# Known holes: (URL name, persona, target, method) → what happens. Each stays an xfail(strict=True)
# case until it is fixed, so the fix is noticed (the test then passes and the xfail must go).
HOLES: dict = {}


def rule_for(name: str) -> tuple[str, Rule] | None:
    """The first rule whose key (without a " [variant]" suffix) matches ``name``."""
    for key, rule in RULES.items():
        base = key.split(" [", 1)[0]
        if base == name or fnmatchcase(name, base):
            return key, rule
    return None


def cases_for(key: str) -> list[str]:
    """The rule keys to run for a URL name: the rule itself and its variants."""
    base = key.split(" [", 1)[0]
    return [k for k in RULES if k.split(" [", 1)[0] == base]
