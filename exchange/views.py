"""The municipality's export page: every subject in every format, and the whole workbook."""

from typing import overload

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import render

from core import importing, writers
from core.importing import admin_import_url
from organizations import access
from organizations.decorators import municipality_view

from . import workbook
from .subjects import BY_KEY, SUBJECTS


def export_refusal(request, municipality):
    """None when the visitor may export this municipality's data; otherwise the response to give
    instead (the login page for an anonymous visitor). Checked on every export."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not access.can_export(request.user, municipality):
        raise PermissionDenied
    return None


@overload
def requested_format(request: HttpRequest, default: str) -> str: ...
@overload
def requested_format(request: HttpRequest, default: None = None) -> str | None: ...
def requested_format(request: HttpRequest, default: str | None = None) -> str | None:
    """The export format the address asks for (``?format=csv|csv-excel|xlsx|json``), or None."""
    wanted = request.GET.get("format", default)
    if wanted is None:
        return None
    if wanted not in writers.FORMATS:
        raise Http404
    return wanted


@municipality_view
def export_page(request, municipality):
    refused = export_refusal(request, municipality)
    if refused:
        return refused
    return render(
        request,
        "exchange/export_page.html",
        {
            "municipality": municipality,
            "subjects": SUBJECTS,
            "formats": writers.FORMATS,
            "imports": [
                (subject.title, admin_import_url(subject))
                for subject in importing.SUBJECTS.values()
                if access.has_perm_in(request.user, subject.permission, municipality)
            ],
        },
    )


@municipality_view
def export_subject(request, municipality, subject):
    refused = export_refusal(request, municipality)
    if refused:
        return refused
    chosen = BY_KEY.get(subject)
    if chosen is None:
        raise Http404
    fmt = requested_format(request, "xlsx")
    return writers.response(
        fmt,
        filename=writers.file_name(fmt, place=municipality.slug, subject=chosen.file_stem),
        resource=chosen.resource(),
        source=chosen.rows(request.user, municipality),
        title=str(chosen.title),
    )


@municipality_view
def export_workbook(request, municipality):
    refused = export_refusal(request, municipality)
    if refused:
        return refused
    return writers.attachment(
        workbook.build(municipality, request.user),
        "xlsx",
        writers.file_name("xlsx", place=municipality.slug, subject="arbejdsbog"),
    )
