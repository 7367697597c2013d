"""Background work of follow-up rounds (django-tasks; ``manage.py db_worker`` runs it): the approved
annex drawn as a PDF once, after approval. WeasyPrint takes several seconds for a round of 2,000
recommendations (docs/benchmarks.md): too long for a request, and the same bytes every time anyway."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django_tasks import task

from . import annex_files
from .models import AnnexFile, FrozenAnnex

log = logging.getLogger(__name__)


@task()
def render_annex_pdf(annex_id: int) -> str:
    annex = FrozenAnnex.objects.select_related("round", "round__municipality").get(pk=annex_id)
    if AnnexFile.objects.filter(annex=annex, fmt=AnnexFile.Format.PDF).exists():
        return "already drawn"
    body = annex_files.pdf(annex)
    try:
        with transaction.atomic():
            AnnexFile(annex=annex, fmt=AnnexFile.Format.PDF, body=body).save()
    except IntegrityError:  # another worker drew it meanwhile: the same bytes
        return "already drawn"
    return f"{len(body)} bytes"


def enqueue_files(annex: FrozenAnnex) -> None:
    """Once the approval has committed, ask the worker to draw the annex's files."""
    transaction.on_commit(lambda: render_annex_pdf.enqueue(annex.pk))
