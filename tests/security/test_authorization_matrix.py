"""The authorisation matrix: every URL the project serves × every persona × own and other municipality.

The URL list comes from the URL configuration itself (admin included), so a URL added without a rule
in url_rules.py fails ``test_every_url_has_a_rule``. Each case requests a concrete URL — built for an
object of the persona's own municipality, of another one, or (for pages with a municipality in the
address) another's object under one's own address — and checks the outcome class. Write endpoints are
also POSTed to by the personas that must be refused, checking that nothing changed.
"""

import copy
import datetime
import re
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from audit.models import AuditEntry
from audit.signals import municipality_path
from config.env import oidc_provider_config
from core.jobs import run_import_job
from core.models import ImportJob
from organizations.models import Municipality, Role
from tests import snapshots
from tests.factories import member

from . import url_rules
from .url_rules import (
    BAD_REQUEST,
    FORBIDDEN,
    GONE,
    LOGIN,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    REDIRECT,
    UNAUTHORIZED,
)

# PostgreSQL: the authorisation matrix.
pytestmark = pytest.mark.postgres

# Which object a URL with a primary key shows (admin URLs are read from their names).
URL_OBJECTS = {
    "report-detail": "recommendations.report",
    "recommendation-detail": "recommendations.recommendation",
    "employment-plan-barometer": "employment_plan.employmentplan",
    "employment-plan-indicator": "employment_plan.indicator",
    "api-decision-detail": "recommendations.councildecision",
    "api-indicator-detail": "employment_plan.indicator",
    "api-measurement-detail": "employment_plan.measurement",
    "api-recommendation-detail": "recommendations.recommendation",
    "api-status-update-detail": "recommendations.statusupdate",
    "api-round-detail": "followup.followupround",
    "api-annex-detail": "followup.frozenannex",
    "admin:view_on_site": "recommendations.recommendation",
    "followup-round": "followup.followupround",
    "followup-annex": "followup.followupround",
    "followup-annex-pdf": "followup.followupround",
    "followup-annex-xlsx": "followup.followupround",
    "my-task-update": "followup.rounditem",
    "follow-recommendation": "recommendations.recommendation",
    "follow-report": "recommendations.report",
}


# One identity provider, configured with its endpoints (nothing is fetched from it): the sign-in URLs
# take its key.
MATRIX_PROVIDER = "matrix-idp"


@pytest.fixture(autouse=True)
def _identity_provider(settings):
    settings.OIDC_PROVIDERS = {
        MATRIX_PROVIDER: oidc_provider_config(
            "OIDC_PROVIDERS",
            MATRIX_PROVIDER,
            {
                "issuer": "https://idp.invalid",
                "authorization_endpoint": "https://idp.invalid/authorize",
                "token_endpoint": "https://idp.invalid/token",
                "jwks_uri": "https://idp.invalid/jwks",
                "client_id": "matrix",
                "client_secret": "matrix",
                "municipality": 201,
                "roles": {"hr": "hr_officer"},
            },
        )
    }


# The URL configuration ------------------------------------------------------------------------------
def url_patterns(resolver=None, prefix="", namespace=None):
    """(name, route) for every pattern; unnamed ones are named ``route:<route>``."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from url_patterns(pattern, route, inner)
        elif isinstance(pattern, URLPattern):
            if pattern.name:
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), route
            else:
                yield f"route:{route}", route


def url_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for name, route in url_patterns():
        names.setdefault(name, route)
    return names


def _cases():
    cases = []
    for name, route in sorted(url_names().items()):
        matched = url_rules.rule_for(name)
        if matched is None:
            continue  # reported by test_every_url_has_a_rule
        for key in url_rules.cases_for(matched[0]):
            rule = url_rules.RULES[key]
            targets = ["-"]
            if rule.scoped:
                targets = ["home", "foreign"]
                if "<slug:slug>" in route and ("<int:pk>" in route or "<path:" in route):
                    targets.append("smuggled")
            variant = key[len(key.split(" [", 1)[0]) :]
            for persona in url_rules.PERSONAS:
                for target in targets:
                    cases.append((name + variant, key, route, persona, target))
    return cases


CASES = _cases()


def test_every_url_has_a_rule():
    unmatched = sorted(name for name in url_names() if url_rules.rule_for(name) is None)
    assert not unmatched, (
        "URLs without a rule in tests/security/url_rules.py (deny by default: add one):\n  "
        + "\n  ".join(unmatched)
    )


def test_every_exact_rule_names_a_url():
    names = set(url_names())
    stale = [
        key
        for key in url_rules.RULES
        if not any(ch in key.split(" [", 1)[0] for ch in "*?[")
        and key.split(" [", 1)[0] not in names
        and not key.startswith("admin:")  # generated per model; some models have no admin yet
    ]
    assert not stale, f"rules for URLs that no longer exist: {stale}"


def test_a_url_added_without_a_rule_is_caught():
    from django.http import HttpResponse
    from django.urls import include, path
    from django.urls.resolvers import RegexPattern

    # The root resolver that get_resolver() builds, around a URL configuration with a new page.
    resolver = URLResolver(
        RegexPattern(r"^/"),
        [
            path("ny-side/", lambda request: HttpResponse(), name="brand-new-page"),
            path("ny-side/<int:pk>/", lambda request, pk: HttpResponse()),
            path("", include("config.urls")),
        ],
    )
    names = {name for name, _ in url_patterns(resolver)}
    unmatched = sorted(name for name in names if url_rules.rule_for(name) is None)
    assert unmatched == ["brand-new-page", "route:ny-side/<int:pk>/"]


# The world: seed data for Allerød and Norddjurs, the personas, one object of each kind each ---------
class World:
    def __init__(self):
        self.municipalities = {
            "allerod": Municipality.objects.get(slug="allerod"),
            "norddjurs": Municipality.objects.get(slug="norddjurs"),
        }
        self.users = {
            "council_member": member("rita", self.municipalities["allerod"], Role.COUNCIL_MEMBER),
            "hr_officer": member("hanne", self.municipalities["allerod"], Role.HR_OFFICER),
            "analyst": member("anders", self.municipalities["allerod"], Role.ANALYST),
            "administrator": member("ada", self.municipalities["allerod"], Role.ADMINISTRATOR),
            "outsider": member("niels", self.municipalities["norddjurs"], Role.ADMINISTRATOR),
        }
        # A member of Norddjurs in each role too, so every kind of object exists on both sides.
        member("nanna", self.municipalities["norddjurs"], Role.HR_OFFICER)
        self._objects = {}
        # Each persona's session, made once by logging in: a test's client presents its cookie
        # (client_for). A test that changes or ends the session does so in its own transaction,
        # which is rolled back after it.
        self.sessions = {}
        for persona, user in self.users.items():
            client = Client()
            client.force_login(user)
            self.sessions[persona] = client.cookies[settings.SESSION_COOKIE_NAME].value

    def municipality(self, persona, target):
        home = "norddjurs" if persona == "outsider" else "allerod"
        away = "allerod" if home == "norddjurs" else "norddjurs"
        return self.municipalities[home if target in ("home", "-") else away]

    def obj(self, label: str, municipality):
        key = (label, municipality.pk)
        if key not in self._objects:
            model = apps.get_model(label)
            path = municipality_path(model)
            if path is None:
                found = model._default_manager.order_by("pk").first()
            else:
                found = self._find(model, path, municipality) or self._clone(
                    model, path, municipality
                )
            self._objects[key] = found
        return self._objects[key]

    @staticmethod
    def _find(model, path, municipality):
        lookup = {"pk": municipality.pk} if path == "pk" else {path: municipality}
        return model._default_manager.filter(**lookup).order_by("pk").first()

    def _clone(self, model, path, municipality):
        """Another municipality's copy of an existing object (and of the chain up to it)."""
        other = next(m for m in self.municipalities.values() if m.pk != municipality.pk)
        source = self._find(model, path, other)
        if source is None:
            raise LookupError(f"no {model._meta.label} in either municipality to test with")
        new = copy.copy(source)
        new.pk = None
        new._state = copy.copy(source._state)
        new._state.adding = True
        first, _, rest = path.partition("__")
        if not rest:
            setattr(new, first, municipality)
        else:
            parent_model = model._meta.get_field(first).related_model
            setattr(new, first, self.obj(parent_model._meta.label_lower, municipality))
        for field in model._meta.concrete_fields:
            # Other links into a municipality follow it there (a decision's body, a unit …).
            related = field.related_model if field.is_relation else None
            if (
                related is not None
                and field.name != first
                and related is not Municipality
                and municipality_path(related) not in (None, "pk")
                and getattr(new, field.attname) is not None
            ):
                if field.null:
                    setattr(new, field.attname, None)
                else:
                    setattr(new, field.name, self.obj(related._meta.label_lower, municipality))
            if field.unique and not field.primary_key and isinstance(field, models.CharField):
                assert field.max_length is not None
                setattr(new, field.attname, f"{getattr(new, field.attname)}-x"[-field.max_length :])
        new.save()
        return new


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        # load_seed_data and create_workforce_demo, restored from the session's snapshot.
        snapshots.restore("seed+workforce-demo")
        _complete_seed()
        world = World()
        # Every object the cases use, created now: a test's own writes are rolled back after it.
        labels = {m._meta.label_lower for m in admin.site._registry} | set(URL_OBJECTS.values())
        for label in sorted(labels):
            for municipality in world.municipalities.values():
                world.obj(label, municipality)
        # PostgreSQL checks the foreign keys of these rows at the end of the transaction; every
        # test's teardown asks for the checks (SET CONSTRAINTS ALL IMMEDIATE) inside a savepoint
        # that is rolled back, so they would run again after each of the ~3,900 tests (50 ms
        # each). Run them once here: each test's teardown then checks only that test's own writes.
        connection.check_constraints()
        yield world
        transaction.set_rollback(True)


def _complete_seed():
    """Kinds of objects the seed data has in neither municipality, and login records."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    seen = {"ip_address": "192.0.2.1", "user_agent": "test", "username": "somebody"}
    AccessAttempt.objects.create(failures_since_start=1, **seen)
    AccessLog.objects.create(**seen)
    AccessFailureLog.objects.create(**seen)
    run_import_job.enqueue(0)  # a row in the worker's queue (never run here)
    ComparisonMeasurement = apps.get_model("employment_plan", "ComparisonMeasurement")
    Indicator = apps.get_model("employment_plan", "Indicator")
    indicator = Indicator.objects.filter(plan__municipality__slug="allerod").first()
    if indicator and not ComparisonMeasurement.objects.exists():
        ComparisonMeasurement.objects.create(
            indicator=indicator,
            municipality=Municipality.objects.get(slug="norddjurs"),
            date=datetime.date(2024, 12, 31),
            value=Decimal(5),
        )
    _approved_rounds()


def _approved_rounds():
    """A follow-up round in each municipality, approved (its annex frozen), with one item."""
    from followup.models import FollowUpRound, FrozenAnnex, RoundItem, RoundState

    now = timezone.now()
    for slug in ("allerod", "norddjurs"):
        municipality = Municipality.objects.get(slug=slug)
        recommendation = (
            apps.get_model("recommendations", "Recommendation")
            .objects.filter(report__municipality=municipality)
            .order_by("pk")
            .first()
        )
        round = FollowUpRound.objects.create(
            municipality=municipality,
            body=apps.get_model("organizations", "Body")
            .objects.filter(municipality=municipality)
            .first(),
            title=f"Status {municipality.name}",
            meeting_date=datetime.date(2026, 3, 12),
            deadline=datetime.date(2026, 3, 1),
            state=RoundState.APPROVED,
            opened_at=now,
            approved_at=now,
        )
        RoundItem.objects.create(round=round, recommendation=recommendation)
        FrozenAnnex.objects.create(
            round=round,
            content={
                "round": {"title": round.title},
                "recommendations": [],
                "indicators": [],
                "changes": [],
            },
        )


# Building the request -------------------------------------------------------------------------------
def _admin_model(name: str):
    """The admin-registered model and the action an ``admin:<app>_<model>_<action>`` name is for."""
    bare = name.removeprefix("admin:")
    best = None
    for model in admin.site._registry:
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        if bare.startswith(prefix) and (best is None or len(prefix) > len(best[1])):
            best = (model, prefix)
    if best is None:
        return None, None
    return best[0], bare[len(best[1]) :]


def build_url(world, name, rule, route, persona, target) -> tuple[str, object]:
    municipality = world.municipality(persona, "home" if target == "smuggled" else target)
    obj_municipality = world.municipality(persona, "foreign" if target == "smuggled" else target)
    if name.startswith("route:"):
        if "(?P<url>" in route:
            return "/admin/does-not-exist/", None
        match = re.match(r"admin/(\w+)/(\w+)/<path:object_id>/", route)
        assert match is not None
        obj = world.obj(f"{match[1]}.{match[2]}", obj_municipality)
        return "/" + route.replace("<path:object_id>", str(obj.pk)), obj
    base = name.split(" [", 1)[0]
    if base == "admin:app_list":
        return reverse(base, kwargs={"app_label": "recommendations"}), None
    if base == "admin:auth_user_password_change":
        obj = world.users["hr_officer"]
        return reverse(base, args=[obj.pk]), obj
    if base == "admin:view_on_site":
        obj = world.obj(URL_OBJECTS[base], obj_municipality)
        ct = ContentType.objects.get_for_model(obj)
        return reverse(base, args=[ct.pk, obj.pk]), obj
    if base.startswith("admin:"):
        model, action = _admin_model(base)
        if model is None or action in ("changelist", "add", "export", "import", "login_failures"):
            return reverse(base), None
        if action == "import_job":
            job = ImportJob.objects.create(
                subject=admin.site._registry[model].import_subject.key,  # type: ignore[attr-defined]
                actor=world.users["hr_officer"],
                file_name="matrix.csv",
                state=ImportJob.State.DONE,
            )
            return reverse(base, kwargs={"job_id": job.pk}), job
        obj = world.obj(model._meta.label_lower, obj_municipality)
        if action in ("status", "open", "approve", "digests"):
            return reverse(base, kwargs={"pk": obj.pk}), obj
        return reverse(base, kwargs={"object_id": obj.pk}), obj
    kwargs = _route_kwargs(route, municipality)
    obj = None
    if base in URL_OBJECTS:
        obj = world.obj(URL_OBJECTS[base], obj_municipality)
        kwargs["pk"] = obj.pk
    url = reverse(base, kwargs=kwargs)
    return (f"{url}?{rule.query}" if rule.query else url), obj


def _route_kwargs(route: str, municipality) -> dict[str, Any]:
    """The address's arguments other than the object's primary key."""
    kwargs: dict[str, Any] = {}
    if "<slug:slug>" in route:
        kwargs["slug"] = municipality.slug
    if "<slug:subject>" in route:
        kwargs["subject"] = "measurements"
    if "<slug:provider>" in route:
        kwargs["provider"] = MATRIX_PROVIDER
    if "<uidb64>" in route:
        kwargs.update(uidb64="MQ", token="made-up-token")  # a reset link that does not work
    elif "<str:token>" in route:
        kwargs["token"] = "made-up-token"  # an unsubscribe link this site did not sign
    return kwargs


def classify(response) -> str:
    code = response.status_code
    if code in (301, 302, 303):
        path = urlsplit(response["Location"]).path
        if path in (reverse("login"), reverse("admin:login")):
            return LOGIN
        if path == reverse("admin:index"):
            warned = any(
                m.level == messages.WARNING for m in getattr(response.wsgi_request, "_messages", [])
            )
            return GONE if warned else REDIRECT
        return REDIRECT
    return {
        200: OK,
        400: BAD_REQUEST,
        401: UNAUTHORIZED,
        403: FORBIDDEN,
        404: NOT_FOUND,
        405: NOT_ALLOWED,
    }.get(code, f"HTTP {code}")


def expected(rule, persona, target, *, post=False):
    if not post and (persona, target) in rule.data_outcomes:
        return rule.data_outcomes[(persona, target)]
    if persona == "anonymous":
        return rule.anonymous
    role = "administrator" if persona == "outsider" else persona
    if target == "smuggled":
        return NOT_FOUND
    if post:
        table = rule.post_foreign if target == "foreign" else rule.post_home
    else:
        table = rule.foreign if target == "foreign" else rule.home
    return None if table is None else table[role]


def client_for(world, persona) -> Client:
    """A fresh client, logged in as ``persona`` (the session World made for it) or anonymous."""
    client = Client()
    if persona != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[persona]
    return client


def _row_state(obj):
    if obj is None:
        return None
    fresh = type(obj)._default_manager.filter(pk=obj.pk).first()
    return None if fresh is None else model_to_dict(fresh)


def _state(obj):
    from api.models import ApiKey

    counts = (AuditEntry.objects.count(), LogEntry.objects.count(), ApiKey.objects.count())
    model_count = type(obj)._default_manager.count() if obj is not None else None
    return counts, model_count, _row_state(obj)


def _post_data(name, obj):
    if name.endswith("_delete"):
        return {"post": "yes"}
    if name.endswith("recommendation_status"):
        Status = apps.get_model("recommendations", "Status")
        other = Status.objects.exclude(pk=obj.status_id).first()
        return {
            "status": other.pk,
            "progress": "77",
            "note": "changed by an intruder",
            "effective_on": datetime.date.today().isoformat(),
            "version": obj.version,
        }
    if obj is None:
        return {"name": "intruder", "confirm": "1", "payload": "x"}
    data: dict[str, Any] = {}
    for key, value in model_to_dict(obj).items():
        if value is None:
            continue
        if isinstance(value, list):
            data[key] = [getattr(v, "pk", v) for v in value]
        elif isinstance(value, models.Model):
            data[key] = value.pk
        else:
            data[key] = value
    for field in obj._meta.concrete_fields:
        if isinstance(field, models.CharField) and field.editable and not field.choices:
            data[field.name] = "changed by an intruder"[: field.max_length]
    return data


def _marks(case, method):
    name, _key, _route, persona, target = case
    reason = url_rules.HOLES.get((name, persona, target, method))
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


def _param(case, method):
    return pytest.param(*case, id=f"{case[0]}|{case[3]}|{case[4]}", marks=_marks(case, method))


PARAMS = [_param(case, "GET") for case in CASES]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "key", "route", "persona", "target"), PARAMS)
def test_get(world, name, key, route, persona, target):
    rule = url_rules.RULES[key]
    url, obj = build_url(world, name, rule, route, persona, target)
    response = client_for(world, persona).get(url)
    assert "Content-Security-Policy" in response.headers, url
    assert classify(response) == expected(rule, persona, target), (
        f"GET {url} as {persona} ({target}): got {classify(response)}"
    )
    if name.endswith("_changelist") and response.status_code == 200:
        _assert_list_is_scoped(world, name, persona, response)


def _assert_list_is_scoped(world, name, persona, response):
    """A list shows no other municipality's objects: their change links are not on the page."""
    model, _ = _admin_model(name)
    if municipality_path(model) is None:
        return
    foreign = world.obj(model._meta.label_lower, world.municipality(persona, "foreign"))
    link = reverse(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[foreign.pk]
    )
    assert link not in response.content.decode(), f"{name} lists {foreign!r} to {persona}"


POST_CASES = [
    case
    for case in CASES
    if case[4] != "smuggled"
    and expected(url_rules.RULES[case[1]], case[3], case[4], post=True) is not None
    and (url_rules.RULES[case[1]].post_home is not None)
]
POST_PARAMS = [_param(case, "POST") for case in POST_CASES]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "key", "route", "persona", "target"), POST_PARAMS)
def test_denied_post_changes_nothing(world, name, key, route, persona, target):
    rule = url_rules.RULES[key]
    url, obj = build_url(world, name, rule, route, persona, target)
    client = client_for(world, persona)
    before = _state(obj)
    response = client.post(url, _post_data(name, obj))
    outcome = classify(response)
    assert outcome == expected(rule, persona, target, post=True), (
        f"POST {url} as {persona} ({target}): got {outcome}"
    )
    assert outcome in url_rules.DENIED
    assert _state(obj) == before, f"POST {url} as {persona} changed something"


# Drop-downs: the admin offers only one's own municipalities' objects ------------------------------
# Fields that name other municipalities by design: whom a plan compares itself with.
OPEN_CHOICES = {
    ("employment_plan.employmentplan", "comparison_municipalities"),
    ("employment_plan.comparisonmeasurement", "municipality"),
}


def _choice_fields(model_admin, request):
    form = model_admin.get_form(request)
    for name, form_field in form.base_fields.items():
        yield model_admin.model, name, form_field
    for formset, inline in model_admin.get_formsets_with_inlines(request):
        for name, form_field in formset.form.base_fields.items():
            yield inline.model, name, form_field


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona",
    ["hr_officer", "administrator", "outsider"],
)
def test_admin_drop_downs_offer_only_own_municipalities(world, rf, persona):
    user = world.users[persona]
    own = world.municipality(persona, "home")
    leaks = []
    for model_admin in admin.site._registry.values():
        request = rf.get("/admin/")
        request.user = user
        if not model_admin.has_add_permission(request):
            continue
        for owner, name, form_field in _choice_fields(model_admin, request):
            queryset = getattr(form_field, "queryset", None)
            if queryset is None or (owner._meta.label_lower, name) in OPEN_CHOICES:
                continue
            path = municipality_path(queryset.model)
            if path is None:
                continue
            lookup = "pk" if path == "pk" else path
            foreign = queryset.exclude(**{lookup: own.pk}).exclude(**{f"{lookup}__isnull": True})
            if foreign.exists():
                leaks.append(f"{owner._meta.label_lower}.{name}: {list(foreign[:3])}")
    assert not leaks, f"{persona} is offered other municipalities' objects: {leaks}"
