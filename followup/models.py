"""A follow-up round (opfølgningsrunde): a committee's status for one meeting, gathered from the
people responsible before a deadline, approved, and then frozen as an annex nobody can change.

A round is prepared (``DRAFT``: its items and their owners can be adjusted), opened (``OPEN``: the
owners update their items) and approved (``APPROVED``: the annex is frozen). Whether an item has been
updated is not stored: it is read from the history (a status update or a measurement recorded after
the round opened; ``selectors``), so it cannot disagree with it.
"""

import hashlib
import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import created_timestamp, one_of_two_once
from employment_plan.models import Indicator
from organizations.models import Body, Municipality, Versioned, person_field
from organizations.scoping import ScopedQuerySet
from recommendations.models import Recommendation, Report, StatusUpdate


class RoundState(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    OPEN = "open", _("Open for updates")
    APPROVED = "approved", _("Approved")


class FollowUpRound(Versioned):
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="followup_rounds",
    )
    body = models.ForeignKey(
        Body,
        verbose_name=_("committee"),
        on_delete=models.PROTECT,
        related_name="followup_rounds",
    )
    title = models.CharField(
        _("title"),
        max_length=300,
        help_text=_("E.g. “Status til Beskæftigelsesudvalget, møde 12. marts 2027”."),
    )
    meeting_date = models.DateField(_("meeting date"))
    deadline = models.DateField(
        _("deadline for updates"), help_text=_("The owners update their items by this day.")
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("reminder (days before the deadline)"), default=3
    )
    state = models.CharField(
        _("state"), max_length=10, choices=RoundState.choices, default=RoundState.DRAFT
    )
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True, editable=False)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up round")
        verbose_name_plural = _("follow-up rounds")
        ordering = ["-meeting_date", "-pk"]
        permissions = [
            ("open_followupround", _("Can open a follow-up round")),
            ("approve_followupround", _("Can approve a follow-up round and freeze its annex")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__lte=models.F("meeting_date")),
                name="round_deadline_before_meeting",
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(opened_at__isnull=False),
                name="round_open_has_opened_at",
            ),
            models.CheckConstraint(
                condition=~Q(state="approved") | Q(approved_at__isnull=False),
                name="round_approved_has_approved_at",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.deadline and self.meeting_date and self.deadline > self.meeting_date:
            raise ValidationError(
                {"deadline": _("The deadline for updates must be on or before the meeting date.")}
            )
        if self.body_id and self.municipality_id:
            body_municipality = self.body.municipality_id
            if body_municipality is not None and body_municipality != self.municipality_id:
                raise ValidationError({"body": _("The committee belongs to another municipality.")})


class RoundItemQuerySet(ScopedQuerySet):
    municipality_path = "round__municipality"


class RoundItem(Versioned):
    """A recommendation or an indicator in a round's scope, and who must update it."""

    round = models.ForeignKey(
        FollowUpRound, verbose_name=_("round"), on_delete=models.CASCADE, related_name="items"
    )
    recommendation = models.ForeignKey(
        Recommendation,
        verbose_name=_("recommendation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    owner = person_field(
        _("owner"), related_name="round_items", help_text=_("Who updates this item in the round.")
    )

    objects = RoundItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("item in a round")
        verbose_name_plural = _("items in a round")
        ordering = ["round", "indicator", "pk"]
        constraints = one_of_two_once(
            "recommendation",
            "indicator",
            per="round",
            one_name="round_item_one_subject",
            once_names=("round_item_recommendation_once", "round_item_indicator_once"),
        )

    def __str__(self):
        return str(self.recommendation or self.indicator)

    @property
    def subject(self) -> Recommendation | Indicator:
        subject = self.recommendation or self.indicator
        assert subject is not None
        return subject


class FrozenAnnexQuerySet(ScopedQuerySet):
    municipality_path = "round__municipality"

    def update(self, **kwargs):
        raise ValidationError(_("An approved annex cannot be changed."))

    def delete(self):
        raise ValidationError(_("An approved annex cannot be deleted."))


def content_hash(content: object) -> str:
    """The SHA-256 of the annex's content in a canonical JSON form: the same content, the same
    hash, on any machine."""
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class WrittenOnce(models.Model):
    """A row of an approved round's annex: written once, never changed or deleted (not by the admin
    either: it has no change or delete permission, and the model and its QuerySet refuse)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("An approved annex cannot be changed."))
        self.seal()
        super().save(*args, **kwargs)

    def seal(self) -> None:
        """Sets what is derived from the row's content (its hash), just before the one write."""

    def delete(self, *args, **kwargs):
        raise ValidationError(_("An approved annex cannot be deleted."))


class FrozenAnnex(WrittenOnce):
    """The status annex as it was when the round was approved."""

    round = models.OneToOneField(
        FollowUpRound,
        verbose_name=_("round"),
        on_delete=models.PROTECT,
        related_name="annex",
    )
    content = models.JSONField(_("content"), editable=False)
    content_hash = models.CharField(_("content hash (SHA-256)"), max_length=64, editable=False)
    created_at = created_timestamp(_("frozen"))

    # The audit entry records the hash; the content itself is the row.
    AUDIT_IGNORED_FIELDS = ("content",)

    objects = FrozenAnnexQuerySet.as_manager()

    class Meta:
        verbose_name = _("approved annex")
        verbose_name_plural = _("approved annexes")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.round} ({self.content_hash[:12]})"

    def seal(self) -> None:
        self.content_hash = content_hash(self.content)

    @property
    def intact(self) -> bool:
        """The stored content still gives the stored hash."""
        return content_hash(self.content) == self.content_hash


class AnnexFileQuerySet(FrozenAnnexQuerySet):
    municipality_path = "annex__round__municipality"


class AnnexFile(WrittenOnce):
    """The approved annex drawn as a file, once, after approval (``followup.tasks``): what every
    later download serves, byte for byte. Written once, like the annex itself."""

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"

    annex = models.ForeignKey(
        FrozenAnnex,
        verbose_name=_("approved annex"),
        on_delete=models.PROTECT,
        related_name="files",
    )
    fmt = models.CharField(_("format"), max_length=10, choices=Format.choices)
    body = models.BinaryField(_("file"), editable=False)
    sha256 = models.CharField(_("file hash (SHA-256)"), max_length=64, editable=False)
    created_at = created_timestamp(_("drawn"))

    # The audit entry records the file's hash, not its bytes.
    AUDIT_IGNORED_FIELDS = ("body",)

    objects = AnnexFileQuerySet.as_manager()

    class Meta:
        verbose_name = _("annex file")
        verbose_name_plural = _("annex files")
        constraints = [
            models.UniqueConstraint(fields=["annex", "fmt"], name="one_file_per_annex_and_format"),
        ]

    def __str__(self):
        return f"{self.annex} ({self.fmt})"

    def seal(self) -> None:
        self.sha256 = hashlib.sha256(bytes(self.body)).hexdigest()


class DigestKind(models.TextChoices):
    OPENED = "opened", _("The round has opened")
    REMINDER = "reminder", _("Reminder before the deadline")
    MISSING = "missing", _("Missing at the deadline")


class RoundDigestSent(models.Model):
    """That a person got their round digest on a day: at most one a day, whatever it covered."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()
    kinds = models.JSONField(default=list)
    item_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "sent_on"], name="one_round_digest_per_day"),
        ]

    def __str__(self):
        return f"{self.user} {self.sent_on}"


# Following a recommendation or a report (followup.follows) --------------------------------------
class Follow(models.Model):
    """That a person follows a recommendation, or a report (every one of its recommendations): one
    e-mail a day lists the status changes since the last (``followup.follow_digests``).

    ``municipality`` is the address it was followed under: its links point there, and whether the
    person may still see it is asked there (a cross-municipal report is read under a municipality's
    address, like every page)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="follows",
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    recommendation = models.ForeignKey(
        Recommendation,
        verbose_name=_("recommendation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="follows",
    )
    report = models.ForeignKey(
        Report,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="follows",
    )
    # Changes recorded from this moment on are told; what happened before is not news.
    created_at = models.DateTimeField(_("followed since"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        ordering = ["user", "created_at", "pk"]
        constraints = one_of_two_once(
            "recommendation",
            "report",
            per="user",
            one_name="follow_one_target",
            once_names=("follow_recommendation_once", "follow_report_once"),
        )

    def __str__(self):
        return f"{self.user} → {self.target}"

    @property
    def target(self) -> Recommendation | Report:
        target = self.recommendation or self.report
        assert target is not None
        return target


class FollowDigestSent(models.Model):
    """That a person got their follow e-mail on a day: at most one a day."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()
    change_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "sent_on"], name="one_follow_digest_per_day"),
        ]

    def __str__(self):
        return f"{self.user} {self.sent_on}"


class FollowChangeSent(models.Model):
    """That a person was told of a status change, in which e-mail: never twice (the user is
    repeated from the digest so that the database can hold the rule)."""

    digest = models.ForeignKey(FollowDigestSent, on_delete=models.CASCADE, related_name="changes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status_update = models.ForeignKey(StatusUpdate, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "status_update"], name="follow_change_told_once"
            ),
        ]

    def __str__(self):
        return f"{self.user} {self.status_update_id}"
