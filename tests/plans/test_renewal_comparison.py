# ruff: noqa: F811 (the fixture `past` is imported from tests/conventions/test_renewal.py)
"""The comparison page « CTG 2025–2028 / 2029–2032 »: enjeux and fiches side by side (carried over, new, not
carried over), the previous CTG's final evaluation conclusions when it has one, the key figures' note when
no statistics are loaded; a member of the new CTG who may not read the previous one sees no part of its plan;
people of other dossiers get a 404. The carried fiche keeps the link to its history."""

from django.urls import reverse

from ctg.conventions import services
from ctg.conventions.models import Membership
from ctg.evaluation import comparison
from ctg.organisations.permissions import Role
from ctg.plans.models import FicheAction
from tests.conventions.test_renewal import past  # noqa: F401
from tests.factories import UserFactory
from tests.plans.factories import FicheFactory


def _renewed(past, world):
    new = services.ctg_renew(ctg=past["ctg"], actor=world.users["pilote_caf"])
    FicheFactory(ctg=new, title="Nouvelle fiche <b>gras</b>", status=FicheAction.Status.A_VENIR)
    return new


def test_the_comparison_shows_carried_new_and_not_carried(client, past, world):
    new = _renewed(past, world)
    client.force_login(world.users["pilote_caf"])
    response = client.get(reverse("evaluation:comparison", args=[new.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "CTG 2025–2028 / 2029–2032" in page
    assert "1 reprise, 1 nouvelle, 2 non reprises" in page
    assert "Nouvelle fiche &lt;b&gt;gras&lt;/b&gt;" in page
    carried = new.fiches.get(carried_from=past["ongoing"])
    assert reverse("plans:fiche_detail", args=[past["ctg"].pk, past["ongoing"].pk]) in page
    assert reverse("plans:fiche_detail", args=[new.pk, carried.pk]) in page
    assert "La CTG précédente n'a pas d'évaluation finale rédigée." in page
    # The previous dossier's page offers the way to its renewal's comparison.
    page = client.get(reverse("evaluation:comparison", args=[past["ctg"].pk])).content.decode()
    assert reverse("evaluation:comparison", args=[new.pk]) in page


def test_the_previous_final_evaluation_conclusions_show(client, past, world):
    from ctg.evaluation.models import FinalEvaluation

    FinalEvaluation.objects.create(ctg=past["ctg"], coherence="Les actions <i>répondaient</i> aux besoins.")
    new = _renewed(past, world)
    conclusions = comparison.previous_conclusions(new)
    assert conclusions["answers"] == [
        {"label": "Cohérence et pertinence", "text": "Les actions <i>répondaient</i> aux besoins."}
    ]
    client.force_login(world.users["coordination"])
    page = client.get(reverse("evaluation:comparison", args=[new.pk])).content.decode()
    assert "Les actions &lt;i&gt;répondaient&lt;/i&gt; aux besoins." in page
    assert "Non encore validée par le COPIL" in page


def test_a_member_of_the_new_ctg_only_sees_no_part_of_the_previous_plan(client, past, world):
    new = _renewed(past, world)
    newcomer = UserFactory(email="nouvelle@epci.fr")
    Membership.objects.create(ctg=new, user=newcomer, role=Role.LECTURE)
    client.force_login(newcomer)
    page = client.get(reverse("evaluation:comparison", args=[new.pk])).content.decode()
    assert "Vous n'avez pas accès au dossier précédent" in page
    assert "Guide des services" not in page and "Ludothèque" not in page
    client.force_login(world.users["other_member"])
    assert client.get(reverse("evaluation:comparison", args=[new.pk])).status_code == 404
    assert client.get(reverse("evaluation:comparison", args=[past["ctg"].pk])).status_code == 404


def test_the_renewals_diagnostic_page_starts_from_the_previous_conclusions(client, past, world):
    """Issue 16: « the evaluation's conclusions shown in the new diagnostic »."""
    from ctg.evaluation.models import FinalEvaluation

    new = _renewed(past, world)
    client.force_login(world.users["coordination"])
    page = client.get(reverse("documents:diagnostic", args=[new.pk])).content.decode()
    assert "Ce que l'évaluation finale de la CTG précédente a conclu" not in page
    FinalEvaluation.objects.create(ctg=past["ctg"], durability="Le relais <script>continue</script>.")
    page = client.get(reverse("documents:diagnostic", args=[new.pk])).content.decode()
    assert "Ce que l'évaluation finale de la CTG précédente a conclu" in page
    assert "Pérennité" in page and "Le relais &lt;script&gt;continue&lt;/script&gt;." in page
    assert "évaluation non validée" in page
    assert reverse("evaluation:comparison", args=[new.pk]) in page
    # A first CTG has nothing to show.
    page = client.get(reverse("documents:diagnostic", args=[past["ctg"].pk])).content.decode()
    assert "évaluation finale de la CTG précédente" not in page


def test_a_carried_fiche_links_to_its_history_in_the_previous_ctg(client, past, world):
    new = _renewed(past, world)
    carried = new.fiches.get(carried_from=past["ongoing"])
    client.force_login(world.users["coordination"])
    page = client.get(reverse("plans:fiche_detail", args=[new.pk, carried.pk])).content.decode()
    assert "Reprise de la fiche" in page
    assert reverse("plans:fiche_detail", args=[past["ctg"].pk, past["ongoing"].pk]) in page
    page = client.get(
        reverse("plans:fiche_detail", args=[past["ctg"].pk, past["ongoing"].pk])
    ).content.decode()
    assert "Reprise de la fiche" not in page
