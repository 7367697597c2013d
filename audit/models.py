"""The audit log: one row per write to a project model, with who, when, where and what changed.

Rows are written by the signal handlers in ``audit.signals`` in the same transaction as the change
they record, and never changed afterwards: the model refuses updates and deletes, and the admin is
read-only for everyone, superusers included.
"""

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import choices_check
from core.text import format_datetime
from organizations.models import person_field
from organizations.scoping import ScopedQuerySet

#: The kind of record of an account event: the user model's label.
ACCOUNT_LABEL = settings.AUTH_USER_MODEL.lower()


class Action(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    # What happened at the door rather than to a record (``record_account_event``): the record is
    # the user name or e-mail address as typed; the record id the account it names, if any.
    LOGIN_FAILED = "login_failed", _("Login failed")
    LOGIN_BLOCKED = "login_blocked", _("Login refused while blocked")
    RESET_REQUESTED = "reset_requested", _("Password reset requested")
    RESET_BLOCKED = "reset_blocked", _("Password reset refused while blocked")
    # Through a municipality's identity provider (docs/sign-in.md): the record is
    # "<provider>:<subject>", the changes the memberships granted and removed, or why it was refused.
    SIGN_IN = "sign_in", _("Signed in through identity provider")
    SIGN_IN_REFUSED = "sign_in_refused", _("Sign-in through identity provider refused")


#: The entries of attempts to log in, shown to administrators as "recent login failures".
LOGIN_ACTIONS = (Action.LOGIN_FAILED, Action.LOGIN_BLOCKED)


class AuditEntryQuerySet(ScopedQuerySet):
    def login_failures_visible_to(self, user) -> "AuditEntryQuerySet":
        """Failed and refused logins a user may see: a superuser every one; someone whose role
        may read the audit log (an administrator) those for the accounts of the members of the
        municipalities where it may, and none for user names that name no such account. Anyone
        else: none."""
        from organizations import access

        failures = self.filter(action__in=LOGIN_ACTIONS)
        ids = access.municipality_ids_for(user, "audit.view_auditentry")
        if ids is None:
            return failures
        Membership = apps.get_model("organizations", "Membership")
        accounts = (
            Membership.objects.filter(municipality_id__in=ids)
            .annotate(account=Cast("user_id", models.CharField()))
            .values("account")
        )
        return failures.filter(model_label=ACCOUNT_LABEL, object_id__in=accounts)


class AuditEntry(models.Model):
    time = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = person_field(
        _("actor"), help_text=_("Empty for the system (seed data, scheduled jobs).")
    )
    # Kept as text too, so the log still names the person after their account is deleted.
    actor_name = models.CharField(_("actor's user name"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    municipality = models.ForeignKey(
        "organizations.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    # Looked up together (a record's history): the "audit_object" index below serves both, and the
    # kind alone by its prefix. One index fewer per column makes every write's entry cheaper.
    model_label = models.CharField(_("kind of record"), max_length=100)
    object_id = models.CharField(_("record id"), max_length=64)
    object_repr = models.CharField(_("record"), max_length=300)
    changes = models.JSONField(
        _("changes"),
        default=dict,
        blank=True,
        encoder=DjangoJSONEncoder,
        help_text=_("Field name → [old value, new value]."),
    )

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["model_label", "object_id"], name="audit_object")]
        constraints = [
            choices_check("action", Action, name="audit_action_valid"),
        ]

    def __str__(self):
        when = format_datetime(timezone.localtime(self.time))
        return f"{when} {self.get_action_display()} {self.kind} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionDenied("Audit entries are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Audit entries are never deleted.")

    def _model(self):
        try:
            return apps.get_model(self.model_label)
        except (LookupError, ValueError):
            return None

    @property
    def kind(self) -> str:
        """The kind of record in words (the model's name), or its label if the model is gone."""
        model = self._model()
        return str(model._meta.verbose_name) if model else self.model_label

    def field_name(self, name: str) -> str:
        """A changed field's name in words, or as stored if the field is gone."""
        model = self._model()
        try:
            return str(model._meta.get_field(name).verbose_name) if model else name
        except FieldDoesNotExist:
            return name

    @property
    def actor_display(self) -> str:
        return self.actor_name or str(_("system"))
