"""One admin mixin for every import: an "Importér" button beside "Eksportér" on the changelist, the
upload with the subject's options, the preview of every row, the confirmation, and for a large file
the background job's page. Each step is the one pipeline (core.importing, core.jobs)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import importing, jobs
from .importing import ACTIONS, Preview, Subject
from .models import ImportJob
from .tabular import TableError, upload_error

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin

    Base = ModelAdmin[Any]
else:
    Base = object

PREVIEW_ROWS = 500  # rows listed on the page; the counts cover every row
REFRESH_SECONDS = 5  # a running job's page reloads itself this often


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "CSV (comma or semicolon, UTF-8 or Windows-1252) or XLSX, first sheet."
        ),
    )


class ImportAdminMixin(Base):
    """Set ``import_subject``; the changelist template includes the button
    (``admin/core/change_list.html``)."""

    import_subject: Subject
    # django-import-export puts it in place, keeping the admin's own changelist template as its base.
    import_export_change_list_template = "admin/core/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="{}_{}_import".format(*info),
            ),
            path(
                "import/<int:job_id>/",
                self.admin_site.admin_view(self.import_job_view),
                name="{}_{}_import_job".format(*info),
            ),
        ] + super().get_urls()

    def _url(self, name: str, *args: Any) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_{name}", args=args)

    def has_import_permission(self, request: HttpRequest) -> bool:
        return self.import_subject.may_import(request.user)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra_context = extra_context or {}
        if self.has_import_permission(request):
            extra_context["import_url"] = self._url("import")
        return super().changelist_view(request, extra_context)

    def _context(self, request: HttpRequest, **extra: Any) -> dict[str, Any]:
        subject = self.import_subject
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": subject.title,
            "subject": subject,
            "columns": subject.columns,
            "actions": ACTIONS,
            "changelist_url": self._url("changelist"),
            **extra,
        }

    # Upload, preview, confirm -----------------------------------------------------------------
    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_import_permission(request):
            raise PermissionDenied
        subject = self.import_subject
        if request.method == "POST" and "payload" in request.POST:
            return self._confirm(request)
        posted = request.method == "POST"
        upload = UploadForm(request.POST if posted else None, request.FILES if posted else None)
        options = subject.options_form(request.user, request.POST if posted else None)
        context = self._context(request, form=upload, options_form=options)
        if not posted:
            options.initial.update(request.GET.dict())  # e.g. ?plan=3 from the plan's page
            return TemplateResponse(request, "admin/core/import.html", context)
        if upload.is_valid() and options.is_valid():
            handle = upload.cleaned_data["file"]
            try:
                table = importing.read(handle, max_rows=self._max_rows())
            except TableError as exc:
                upload.add_error("file", upload_error(exc, subject.key))
            else:
                table, refused = subject.transform(table, options.cleaned_data)
                if not refused and len(table.rows) > jobs.background_threshold():
                    job = jobs.start(
                        subject,
                        table,
                        user=request.user,
                        options=options.cleaned_data,
                        file_name=handle.name,
                    )
                    return redirect(self._url("import_job", job.pk))
                preview = self._preview(request, table, options.cleaned_data, refused)
                context.update(self._shown(preview))
                if preview.ok and preview.table is not None:
                    context["payload"] = importing.sign(
                        subject, preview.table, user=request.user, options=options.cleaned_data
                    )
        return TemplateResponse(request, "admin/core/import.html", context)

    def _max_rows(self) -> int:
        """Rows a browser upload may have (the worker takes the large ones); larger files are
        for the command line."""
        return int(getattr(settings, "IMPORT_MAX_ROWS", 200_000))

    def _preview(
        self,
        request: HttpRequest,
        table: importing.Table,
        options: dict[str, Any],
        refused: list[importing.Outcome],
    ) -> Preview:
        if refused:
            return Preview(self.import_subject.key, refused, table=table)
        preview, _context = importing.check(
            self.import_subject, table, user=request.user, options=options
        )
        return preview

    def _shown(self, preview: Preview) -> dict[str, Any]:
        rows = preview.rows
        problems = [r for r in rows if r.errors]
        listed = (problems or rows)[:PREVIEW_ROWS]
        return {
            "preview": preview,
            "listed": listed,
            "hidden": len(problems or rows) - len(listed),
        }

    def _confirm(self, request: HttpRequest) -> HttpResponse:
        subject = self.import_subject
        try:
            table, data = importing.unsign(subject, request.POST["payload"], user=request.user)
        except importing.PayloadError:
            self.message_user(
                request,
                _("The preview expired or was altered; upload the file again."),
                messages.ERROR,
            )
            return redirect(self._url("import"))
        options = subject.options_form(request.user, data)
        if not options.is_valid():  # a right withdrawn, a plan deleted since the preview
            self.message_user(
                request,
                _("The choices of the preview are no longer available; upload the file again."),
                messages.ERROR,
            )
            return redirect(self._url("import"))
        preview = importing.apply(subject, table, user=request.user, options=options.cleaned_data)
        if preview.applied:
            self.message_user(
                request,
                _("Imported: %s.") % ", ".join(importing.describe(preview)),
                messages.SUCCESS,
            )
            return redirect(self._url("changelist"))
        context = self._context(request, form=UploadForm(), options_form=options)
        context.update(self._shown(preview))
        return TemplateResponse(request, "admin/core/import.html", context)

    # The background job --------------------------------------------------------------------
    def import_job_view(self, request: HttpRequest, job_id: int) -> HttpResponse:
        job = ImportJob.objects.filter(pk=job_id, subject=self.import_subject.key).first()
        if job is None or (job.actor_id != request.user.pk and not request.user.is_superuser):
            raise Http404
        jobs.notice_stale(job)
        jobs.expire(job)
        if request.method == "POST" and job.actor_id == request.user.pk:
            if "cancel" in request.POST:
                jobs.cancel(job)
            elif not jobs.confirm(job):
                self.message_user(
                    request,
                    _("The preview has expired; upload the file again."),
                    messages.ERROR,
                )
            return redirect(self._url("import_job", job.pk))
        # While the job runs the page reloads itself (an HTTP Refresh: no JavaScript), unless the
        # reader turned that off (WCAG 2.2.1): ?follow=0.
        follow = job.running and request.GET.get("follow") != "0"
        context = self._context(request, job=job, follow=follow, every=REFRESH_SECONDS)
        response = TemplateResponse(request, "admin/core/import_job.html", context)
        if follow:
            response["Refresh"] = str(REFRESH_SECONDS)
        return response
