"""Administrators prepare a round (its items and owners), open it and approve it here. Every save
goes through ``followup.services``; the approved annex is read-only for everyone."""

import datetime

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin_mixins import LabelledTabularInline
from organizations import access
from organizations.admin_scoping import MunicipalityScopedAdmin, writable
from organizations.admin_writes import VersionedAdminMixin
from organizations.models import User

from . import models, reminders, selectors, services


class RoundItemInline(LabelledTabularInline):
    model = models.RoundItem
    fields = ["recommendation", "indicator", "owner", "updated_in_round"]
    readonly_fields = ["updated_in_round"]
    raw_id_fields = ["recommendation", "indicator"]
    extra = 0

    @admin.display(description=gettext_lazy("Updated in the round"))
    def updated_in_round(self, obj):
        if obj.pk is None or obj.round.state == models.RoundState.DRAFT:
            return "–"
        return _("Yes") if obj.updated else _("No")

    def get_queryset(self, request):
        # ``updated`` and the subjects' names for every row in the one query that reads them.
        return (
            super()
            .get_queryset(request)
            .select_related("round", "recommendation", "indicator")
            .annotate(updated=selectors.updated_in_round())
        )

    def get_readonly_fields(self, request, obj=None):
        # Once the round is open an item's subject is fixed (services.round_item_save): shown as
        # text, not as an id to look up row by row.
        if obj is not None and obj.state != models.RoundState.DRAFT:
            return ["recommendation", "indicator", "updated_in_round"]
        return self.readonly_fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in ("recommendation", "indicator"):
            # Only the municipalities where the user may prepare rounds.
            kwargs["queryset"] = writable(self, request, db_field.related_model)
        if db_field.name == "owner":
            # The members of the municipalities where the user prepares rounds.
            ids = access.municipality_ids_for(request.user, "followup.change_followupround")
            users = User.objects.filter(is_active=True)
            if ids is not None:
                users = users.filter(memberships__municipality__in=ids)
            kwargs["queryset"] = users.distinct().order_by("first_name", "last_name", "username")
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            assert field is not None
            # Read once for every row's drop-down (a ModelChoiceField reads its queryset for each).
            field.choices = list(field.choices)  # type: ignore[arg-type]  # its iterator's pairs
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and (
            obj is None or obj.state == models.RoundState.DRAFT
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or obj.state == models.RoundState.DRAFT
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or obj.state != models.RoundState.APPROVED
        )


@admin.register(models.FollowUpRound)
class FollowUpRoundAdmin(VersionedAdminMixin, MunicipalityScopedAdmin, admin.ModelAdmin):
    write_services = services.ROUND
    list_display = ["title", "body", "meeting_date", "deadline", "state", "municipality"]
    list_filter = ["state", "municipality"]
    list_select_related = ["body", "municipality"]
    search_fields = ["title"]
    fields = ["municipality", "body", "title", "meeting_date", "deadline", "reminder_days"]
    readonly_fields = ["state_line"]
    inlines = [RoundItemInline]
    change_form_template = "admin/followup/followupround/change_form.html"

    @admin.display(description=gettext_lazy("State"))
    def state_line(self, obj):
        return obj.get_state_display() if obj else ""

    def get_inlines(self, request, obj=None):
        # A new round's items are taken from the committee's recommendations when it is saved.
        return self.inlines if obj is not None else []

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        ids = access.municipality_ids_for(request.user, "followup.add_followupround")
        if ids is not None and len(ids) == 1:
            initial.setdefault("municipality", str(next(iter(ids))))
        return initial

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        return [*fields, "state_line"] if obj else fields

    def get_readonly_fields(self, request, obj=None):
        fixed = ["state_line"]
        if obj is not None:
            fixed += ["municipality", "body"]  # the scope was taken from them
        if obj is not None and obj.state == models.RoundState.APPROVED:
            fixed += ["title", "meeting_date", "deadline", "reminder_days"]
        return fixed

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or obj.state == models.RoundState.DRAFT
        )

    # The round's only inline rows are its items, which have rules of their own (what may change
    # in which state of the round).
    def save_child(self, child, *, acting_user, path):
        return services.round_item_save(item=child, acting_user=acting_user)

    def delete_child(self, child, *, acting_user, path):
        return services.round_item_delete(item=child, acting_user=acting_user)

    # Open and approve ---------------------------------------------------------------------------
    def get_urls(self):
        return [
            path(
                "<int:pk>/open/",
                self.admin_site.admin_view(self.open_view),
                name="followup_followupround_open",
            ),
            path(
                "<int:pk>/digests/",
                self.admin_site.admin_view(self.digest_preview_view),
                name="followup_followupround_digests",
            ),
            path(
                "<int:pk>/approve/",
                self.admin_site.admin_view(self.approve_view),
                name="followup_followupround_approve",
            ),
        ] + super().get_urls()

    def _act(self, request, pk, service, done: str):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        round = get_object_or_404(self.get_queryset(request), pk=pk)
        try:
            service(
                round=round, expected_version=request.POST.get("version"), acting_user=request.user
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, done % {"round": round})
        return redirect(reverse("admin:followup_followupround_change", args=[pk]))

    def open_view(self, request, pk):
        return self._act(
            request, pk, services.round_open, _("“%(round)s” is open: the owners can update.")
        )

    def approve_view(self, request, pk):
        return self._act(
            request,
            pk,
            services.round_approve,
            _("“%(round)s” is approved and its annex is frozen."),
        )

    def digest_preview_view(self, request, pk):
        """The e-mails this round would send on a day (today, or ``?date=``), without sending."""
        round = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, round):
            raise PermissionDenied
        days = {}
        if round.opened_at is not None:
            days[_("opening day")] = timezone.localdate(round.opened_at)
        days[_("reminder day")] = round.deadline - datetime.timedelta(days=round.reminder_days)
        days[_("deadline")] = round.deadline
        day = timezone.localdate()
        asked = request.GET.get("date")
        if asked:
            try:
                day = datetime.date.fromisoformat(asked)
            except ValueError:
                messages.error(
                    request, _("“%(date)s” is not a date (YYYY-MM-DD).") % {"date": asked}
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("E-mails of “%(round)s” on %(day)s")
            % {"round": round, "day": formats.date_format(day, "DATE_FORMAT")},
            "opts": self.opts,
            "original": round,
            "day": day,
            "days": [(label, d, d.isoformat()) for label, d in days.items()],
            "previews": reminders.preview(day, [round]),
            "not_open": round.state != models.RoundState.OPEN,
        }
        return TemplateResponse(request, "admin/followup/followupround/digests.html", context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            municipality = obj.municipality_id
            context["round_actions"] = {
                "can_open": obj.state == models.RoundState.DRAFT
                and access.has_perm_in(request.user, services.OPEN_PERM, municipality),
                "can_approve": obj.state == models.RoundState.OPEN
                and access.has_perm_in(request.user, services.APPROVE_PERM, municipality),
                "page": reverse("followup-round", args=[obj.municipality.slug, obj.pk]),
                "digests": reverse("admin:followup_followupround_digests", args=[obj.pk]),
            }
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(models.FrozenAnnex)
class FrozenAnnexAdmin(MunicipalityScopedAdmin, admin.ModelAdmin):
    """Read-only: an approved annex is never changed or deleted, not by a superuser either."""

    list_display = ["round", "created_at", "hash"]
    list_select_related = ["round"]
    fields = ["round", "created_at", "content_hash", "page"]
    readonly_fields = ["round", "created_at", "content_hash", "page"]

    @admin.display(description=gettext_lazy("content hash (SHA-256)"))
    def hash(self, obj):
        return format_html("<code>{}</code>", obj.content_hash)

    @admin.display(description=gettext_lazy("Annex"))
    def page(self, obj):
        url = reverse("followup-annex", args=[obj.round.municipality.slug, obj.round_id])
        return format_html('<a href="{}">{}</a>', url, _("Read the approved annex"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
