from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    """Council-facing overviews that combine recommendations, the employment plan and the
    workforce: the top of the dependency chain; nothing imports from here."""

    name = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self):
        from django.apps import apps
        from django.db.models.signals import post_delete, post_save

        from .versions import note_plan_write, note_recommendation_write

        # The dashboards' cached data versions read maxima of ids and timestamps; what moves
        # neither is counted: every deletion, and any save of the rows edited in place without a
        # timestamp. (Measurements and status changes are added or stamped: their maxima move.)
        for label, receiver in (
            ("employment_plan.Measurement", note_plan_write),
            ("employment_plan.Indicator", note_plan_write),
            ("recommendations.Recommendation", note_recommendation_write),
            ("recommendations.StatusUpdate", note_recommendation_write),
            ("recommendations.CouncilDecision", note_recommendation_write),
            ("recommendations.Report", note_recommendation_write),
        ):
            model = apps.get_model(label)
            post_delete.connect(receiver, sender=model, dispatch_uid=f"deleted-{label}")
        for label in (
            "recommendations.Recommendation",
            "recommendations.CouncilDecision",
            "recommendations.Report",
        ):
            model = apps.get_model(label)
            post_save.connect(
                note_recommendation_write, sender=model, dispatch_uid=f"saved-{label}"
            )
