"""The recommendations' export columns (see core.resources). The recommendations sheet is
also the status import's format: re-importing it unchanged changes nothing."""

from django.utils.translation import gettext_lazy as _
from import_export.fields import Field

from core.resources import ExportResource, choice_label

from .models import (
    CouncilDecision,
    DecisionKind,
    Recommendation,
    Status,
    StatusUpdate,
    UpdateOrigin,
)


def status_labels():
    """Status key → its name in the current language (the import reads either language)."""
    labels = None

    def label(key):
        nonlocal labels
        if labels is None:  # read once, on the first row
            labels = {s.key: s.label for s in Status.objects.all()}
        return labels.get(key, key)

    return label


class StatusNamedResource(ExportResource):
    """Columns holding a status key (``status_columns``) are exported as the status's name in the
    current language, read once per export."""

    status_columns: tuple[str, ...] = ()

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        label = status_labels()
        self.convert = {**self.convert, **dict.fromkeys(self.status_columns, label)}


class RecommendationResource(StatusNamedResource):
    status_columns = ("status",)

    report = Field(attribute="report__key", column_name=_("Report"))
    number = Field(attribute="number", column_name=_("Number"))
    title = Field(attribute="title", column_name=_("Title"))
    theme = Field(attribute="theme__title", column_name=_("Theme"))
    status = Field(attribute="status__key", column_name=_("Status"))
    progress = Field(attribute="progress", column_name=_("Progress (%)"))
    responsible = Field(attribute="responsible_unit__name", column_name=_("Responsible unit"))
    responsible_text = Field(attribute="responsible_text", column_name=_("Responsible (text)"))
    follow_up_date = Field(attribute="follow_up_date", column_name=_("Follow-up date"))
    last_updated_at = Field(attribute="last_updated_at", column_name=_("Last updated"))
    report_title = Field(attribute="report__title", column_name=_("Report title"))

    class Meta:
        model = Recommendation


class StatusUpdateResource(StatusNamedResource):
    """The status history: who changed what, when and why."""

    convert = {"origin": choice_label(UpdateOrigin.choices)}
    status_columns = ("old_status", "new_status")

    report = Field(attribute="recommendation__report__key", column_name=_("Report"))
    number = Field(attribute="recommendation__number", column_name=_("Number"))
    effective_on = Field(attribute="effective_on", column_name=_("Date"))
    old_status = Field(attribute="old_status__key", column_name=_("Previous status"))
    new_status = Field(attribute="new_status__key", column_name=_("New status"))
    old_progress = Field(attribute="old_progress", column_name=_("Previous progress (%)"))
    progress = Field(attribute="progress", column_name=_("New progress (%)"))
    note = Field(attribute="note", column_name=_("Note"))
    origin = Field(attribute="origin", column_name=_("Origin"))
    author = Field(attribute="author__username", column_name=_("Changed by"))
    created_at = Field(attribute="created_at", column_name=_("Recorded"))

    class Meta:
        model = StatusUpdate


class CouncilDecisionResource(ExportResource):
    convert = {"decision": choice_label(DecisionKind.choices)}

    body = Field(attribute="body__name", column_name=_("Body"))
    meeting_date = Field(attribute="meeting_date", column_name=_("Meeting date"))
    item_number = Field(attribute="item_number", column_name=_("Agenda item"))
    item_title = Field(attribute="item_title", column_name=_("Agenda item title"))
    case_number = Field(attribute="case_number", column_name=_("Case number"))
    decision = Field(attribute="decision", column_name=_("Decision"))
    text = Field(attribute="text", column_name=_("Decision text"))
    absent = Field(attribute="absent", column_name=_("Absent"))

    class Meta:
        model = CouncilDecision
