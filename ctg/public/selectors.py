"""Reads of the public pages: the published CTGs, a dossier's publication, the questionnaires open to the
public."""

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse

from ctg.conventions.models import Ctg
from ctg.public.models import Publication
from ctg.surveys.models import Link, Questionnaire


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
    """The questionnaires of the dossier open to the public, each as {"title", "url", "closes_on"}: an open
    questionnaire with an active public link (its first by channel); a draft, a closed questionnaire, a
    single-use partner link or an inactive link are never shown. Questionnaires have no closing date set in
    advance, so `closes_on` is None."""
    found = []
    questionnaires = Questionnaire.objects.filter(ctg=ctg, status=Questionnaire.Status.OPEN).order_by(
        "title", "id"
    )
    links = Link.objects.filter(questionnaire__in=questionnaires, kind=Link.Kind.PUBLIC, is_active=True)
    first_link: dict[int, Link] = {}
    for link in links.order_by("channel", "id"):
        first_link.setdefault(link.questionnaire_id, link)
    for questionnaire in questionnaires:
        link = first_link.get(questionnaire.pk)
        if link is not None:
            url = reverse("answer:notice", args=[link.token])
            found.append({"title": questionnaire.title, "url": url, "closes_on": None})
    return found
