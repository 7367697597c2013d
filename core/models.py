"""Background imports: one row per file handed to the worker, with its progress and outcome."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .fields import created_timestamp, updated_timestamp


class ImportJob(models.Model):
    """A file too large to check and apply in the request. The worker checks it (``CHECKING``), the
    person who started it confirms the preview (``CHECKED``), the worker applies it in one
    transaction (``APPLYING``) and records the outcome. ``payload`` (the rows, a staff list already
    aggregated) is cleared once the job is over."""

    # The audit log records who started which job and how it ended, not its rows or progress.
    AUDIT_IGNORED_FIELDS = ("payload", "done", "sample", "errors")

    class State(models.TextChoices):
        QUEUED = "queued", _("waiting to be checked")
        CHECKING = "checking", _("checking the rows")
        CHECKED = "checked", _("checked: waiting for your confirmation")
        REFUSED = "refused", _("refused: nothing was imported")
        CONFIRMED = "confirmed", _("confirmed: waiting to be saved")
        APPLYING = "applying", _("saving the rows")
        DONE = "done", _("imported")
        FAILED = "failed", _("failed: nothing was imported")
        EXPIRED = "expired", _("expired: not confirmed in time, nothing was imported")

    subject = models.CharField(_("subject"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    file_name = models.CharField(_("file"), max_length=255)
    options = models.JSONField(_("options"), default=dict)
    payload = models.JSONField(_("rows"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(_("rows"), default=0)
    done = models.PositiveIntegerField(_("rows done"), default=0)
    counts = models.JSONField(_("counts"), default=dict)
    # The first rows of the preview and the first errors, as shown on the job's page.
    sample = models.JSONField(_("preview"), default=list)
    errors = models.JSONField(_("errors"), default=list)
    message = models.TextField(_("message"), blank=True)
    created_at = created_timestamp(_("started"))
    updated_at = updated_timestamp(_("last sign of life"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.subject} · {self.file_name} · {self.get_state_display()}"

    @property
    def running(self) -> bool:
        return self.state in {
            self.State.QUEUED,
            self.State.CHECKING,
            self.State.CONFIRMED,
            self.State.APPLYING,
        }
