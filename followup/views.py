"""The owners' "Mine opgaver" and the round's page. Thin: each item's update goes through the
recommendations' or the employment plan's own service, as in the admin."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core import writers
from employment_plan.services import measurement_record
from organizations import access
from organizations.decorators import municipality_view
from recommendations.admin.common import add_errors
from recommendations.forms import StatusChangeForm
from recommendations.models import ProgressMode, Recommendation, Report, UpdateOrigin
from recommendations.services import StaleEdit, recommendation_change_status

from . import annex_files, follows, selectors, services
from .forms import MeasurementTaskForm
from .models import AnnexFile, Follow, FollowUpRound, FrozenAnnex, RoundItem, RoundState

VIEW_PERM = "followup.view_followupround"


def _rolled_up(item: RoundItem) -> bool:
    """The progress is computed from sub-items (``has_children`` from ``selectors.items``)."""
    rec = item.recommendation
    if rec is None or rec.progress_mode != ProgressMode.ROLLUP:
        return False
    has_children = getattr(item, "has_children", None)
    return rec.children.exists() if has_children is None else bool(has_children)


def _form(item: RoundItem, data=None):
    prefix = f"item-{item.pk}"
    if item.recommendation is not None:
        rec = item.recommendation
        initial = {"status": rec.status_id, "progress": rec.progress, "version": rec.version}
        return StatusChangeForm(data, prefix=prefix, initial=initial, rollup=_rolled_up(item))
    return MeasurementTaskForm(data, prefix=prefix)


@login_required
def my_tasks(request, bound: tuple[int, Any] | None = None):
    """What the signed-in owner must update in the open rounds, a short form per item."""
    grouped = []
    statuses = None  # the status list, read once for every form on the page
    for round, rows in selectors.tasks_for(request.user):
        for row in rows:
            form = bound[1] if bound and bound[0] == row.pk else _form(row)
            row.form = form  # type: ignore[attr-defined]  # for the template
            if "status" in form.fields:
                field = form.fields["status"]
                statuses = statuses if statuses is not None else list(field.choices)
                field.choices = statuses
        grouped.append((round, rows))
    # A refused update shows the page again with that item's errors (400, as a form error).
    return render(
        request, "followup/my_tasks.html", {"grouped": grouped}, status=400 if bound else 200
    )


@login_required
@require_POST
def update_item(request, pk):
    """One item's update: a status change (the same status with a note says "no change") or a
    new measurement."""
    item = get_object_or_404(
        RoundItem.objects.select_related("round", "recommendation__status", "indicator__plan"),
        pk=pk,
        round__state=RoundState.OPEN,
    )
    if not services.can_update_item(request.user, item):
        raise Http404  # not the user's to update: do not confirm it exists
    form = _form(item, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if item.recommendation is not None:
                recommendation_change_status(
                    recommendation=item.recommendation,
                    status=data["status"],
                    progress=None if _rolled_up(item) else data["progress"],
                    note=data["note"],
                    effective_on=data["effective_on"],
                    expected_version=data["version"],
                    origin=UpdateOrigin.FORM,
                    acting_user=request.user,
                )
            else:
                measurement_record(
                    indicator=item.indicator,
                    date=data["date"],
                    value=data["value"],
                    provisional=data["provisional"],
                    comment=data["comment"],
                    acting_user=request.user,
                )
        except StaleEdit as exc:
            form.add_error(None, exc)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Saved: %(item)s") % {"item": item})
            return redirect(reverse("my-tasks") + f"#item-{item.pk}")
    return my_tasks(request, bound=(item.pk, form))


def _round_or_404(request, municipality, pk) -> FollowUpRound:
    if not access.has_perm_in(request.user, VIEW_PERM, municipality):
        raise Http404
    return get_object_or_404(
        FollowUpRound.objects.select_related("body", "municipality", "approved_by"),
        pk=pk,
        municipality=municipality,
    )


@municipality_view
def round_list(request, municipality):
    if not access.has_perm_in(request.user, VIEW_PERM, municipality):
        raise Http404
    rounds = FollowUpRound.objects.filter(municipality=municipality).select_related("body")
    return render(
        request, "followup/round_list.html", {"municipality": municipality, "rounds": rounds}
    )


@municipality_view
def round_detail(request, municipality, pk):
    round = _round_or_404(request, municipality, pk)
    annex = getattr(round, "annex", None) if round.state == RoundState.APPROVED else None
    return render(
        request,
        "followup/round_detail.html",
        {
            "municipality": municipality,
            "round": round,
            "progress": selectors.round_progress(round),
            "annex": annex,
            "later_changes": selectors.changes_after_approval(round),
        },
    )


def _annex_or_404(request, municipality, pk) -> FrozenAnnex:
    round = _round_or_404(request, municipality, pk)
    annex: FrozenAnnex | None = getattr(round, "annex", None)
    if annex is None:
        raise Http404
    return annex


@municipality_view
def round_annex(request, municipality, pk):
    """The approved annex as frozen: the stored content, never read again from the live rows."""
    annex = _annex_or_404(request, municipality, pk)
    round = annex.round
    return render(
        request,
        "followup/annex.html",
        {"municipality": municipality, "round": round, "annex": annex, "content": annex.content},
    )


@municipality_view
def round_annex_file(request, municipality, pk, fmt):
    """The approved annex as PDF or XLSX, drawn from the frozen snapshot."""
    annex = _annex_or_404(request, municipality, pk)
    if fmt == "pdf":
        stored = AnnexFile.objects.filter(annex=annex, fmt=AnnexFile.Format.PDF).first()
        if stored is None:
            # Drawn by the worker after approval (followup.tasks); this page refreshes itself.
            return render(
                request,
                "followup/annex_file_pending.html",
                {"municipality": municipality, "round": annex.round},
            )
        body, content_type = bytes(stored.body), "application/pdf"
    else:
        body, content_type = annex_files.xlsx(annex), writers.FORMATS["xlsx"][2]
    reply = HttpResponse(body, content_type=content_type)
    reply["Content-Disposition"] = f'attachment; filename="{annex_files.file_name(annex, fmt)}"'
    return reply


# Following ------------------------------------------------------------------------------------------
def _visible_or_404(model, request, municipality, pk):
    """The recommendation or report under the municipality's address, as its page finds it."""
    found = model.objects.visible_to(request.user, municipality).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _back(request, default: str) -> str:
    """Where the form came from (``next``, on this site only), else the followed page."""
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and safe else default


def _follow_toggle(request, municipality, target: Recommendation | Report, page: str):
    """A POST: ``action=unfollow`` stops following, anything else (``action=follow``) follows;
    then back to where the form was (``next``) or to the followed page."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if isinstance(target, Recommendation):
        what = _("recommendation %(number)s") % {"number": target.number}
    else:
        what = f"“{target.title}”"
    if request.POST.get("action") == "unfollow":
        follows.follow_stop(target=target, acting_user=request.user)
        messages.success(request, _("You no longer follow %(what)s.") % {"what": what})
    else:
        try:
            follows.follow_start(target=target, municipality=municipality, acting_user=request.user)
        except PermissionDenied:
            raise Http404 from None
        if isinstance(target, Recommendation):
            news = _("You get one e-mail a day when its status changes.")
        else:
            news = _(
                "You get one e-mail a day when the status of one of its recommendations changes."
            )
        messages.success(request, _("You now follow %(what)s.") % {"what": what} + " " + news)
        if not request.user.email:
            messages.warning(
                request,
                _(
                    "Your account has no e-mail address, so no e-mail can be sent to you: ask "
                    "your municipality's administrator to add one."
                ),
            )
    return redirect(_back(request, page))


@login_required
@municipality_view
def follow_recommendation(request, municipality, pk):
    recommendation = _visible_or_404(Recommendation, request, municipality, pk)
    page = reverse("recommendation-detail", args=[municipality.slug, recommendation.pk])
    return _follow_toggle(request, municipality, recommendation, page)


@login_required
@municipality_view
def follow_report(request, municipality, pk):
    report = _visible_or_404(Report, request, municipality, pk)
    page = reverse("report-detail", args=[municipality.slug, report.pk])
    return _follow_toggle(request, municipality, report, page)


@login_required
def my_follows(request):
    """ "Det følger du": the signed-in person's follows of what they may still see."""
    rows = list(selectors.follows_page(request.user))
    return render(
        request,
        "followup/my_follows.html",
        {
            "reports": [f for f in rows if f.report_id],
            "recommendations": [f for f in rows if f.recommendation_id],
        },
    )


@csrf_exempt  # RFC 8058: the mail program POSTs here; the signed link is the protection
@never_cache
def unsubscribe(request, token):
    """The link in the follow e-mails, without login. GET only shows the button (mail scanners
    open links); POST stops every follow of the link's person. A link this site did not make:
    400 with a message."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    try:
        user = follows.token_user(token)
    except follows.BadToken:
        return render(request, "followup/unsubscribe.html", {"bad_link": True}, status=400)
    if request.method == "POST":
        _user, stopped = follows.follows_stop_by_token(token=token)
        return render(request, "followup/unsubscribe.html", {"done": True, "stopped": stopped})
    return render(
        request,
        "followup/unsubscribe.html",
        {"following": Follow.objects.filter(user=user).count()},
    )
