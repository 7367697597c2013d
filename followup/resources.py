"""The follow-up rounds' export columns (see core.resources): one row per round, with its progress
and the hash of its approved annex."""

from django.utils.translation import gettext_lazy as _
from import_export.fields import Field

from core.resources import ExportResource, choice_label

from .models import FollowUpRound, RoundState


class FollowUpRoundResource(ExportResource):
    convert = {"state": choice_label(RoundState.choices)}

    title = Field(attribute="title", column_name=_("Round"))
    body = Field(attribute="body__name", column_name=_("Committee"))
    meeting_date = Field(attribute="meeting_date", column_name=_("Meeting date"))
    deadline = Field(attribute="deadline", column_name=_("Deadline for updates"))
    state = Field(attribute="state", column_name=_("State"))
    items = Field(attribute="item_count", column_name=_("Items in the round"))
    opened_at = Field(attribute="opened_at", column_name=_("opened"))
    approved_at = Field(attribute="approved_at", column_name=_("approved"))
    annex_hash = Field(attribute="annex__content_hash", column_name=_("content hash (SHA-256)"))

    class Meta:
        model = FollowUpRound
