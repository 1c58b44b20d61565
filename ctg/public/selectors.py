"""Reads of the public pages: the published CTGs, a dossier's publication, the questionnaires open to the
public."""

from django.db.models import QuerySet
from django.http import Http404

from ctg.conventions.models import Ctg
from ctg.public.models import Publication


def publication_of(ctg: Ctg) -> Publication | None:
    """The dossier's publication (published or not), or None when its public page was never set up."""
    return Publication.objects.filter(ctg=ctg).select_related("published_by").first()


def published() -> QuerySet[Publication]:
    """The public pages online, the most recent CTG first."""
    return (
        Publication.objects.filter(published=True)
        .select_related("ctg", "ctg__epci", "ctg__caf")
        .order_by("-ctg__start_year", "ctg__title")
    )


def published_or_404(slug: str) -> Publication:
    """The publication online at `slug`: 404 for an address that is unknown, never published or withdrawn
    (the same answer for all three: a withdrawn page says nothing of the dossier)."""
    publication = published().filter(slug=slug).first()
    if publication is None:
        raise Http404("Aucune CTG n'est publiée à cette adresse.")
    return publication


def open_questionnaires(ctg: Ctg) -> list[dict]:
    """The questionnaires of the dossier open to the public, each as {"title", "url", "closes_on"}.

    HOOK: the questionnaires app (`ctg.surveys`, being built at the same time) offers no selector of the open
    public links of a dossier yet. When it does, call it here (the floor allows it: surveys is below public)
    and return its links; the public page, the embed page and the settings' preview already show this list
    (« Questionnaires ouverts au public »), and say « aucun » when it is empty."""
    return []
