"""The findings' pages render in Chromium and pass axe-core (no serious or critical violation): the list with
its filters, the form (empty and with its errors), a finding's page, and « Créer un enjeu depuis des
constats » with findings preselected; the coordination adds a finding from the form and cites it on an enjeu's
page."""

import re

from ctg.findings import services
from ctg.findings.models import Finding
from ctg.plans.models import Enjeu
from tests.conftest import PASSWORD
from tests.plans.factories import EnjeuFactory

from .axe import assert_accessible


def test_findings_pages_are_accessible(transactional_db, world, page, live_server, login):
    ctg = world.ctg
    first = ctg.communes.order_by("code").first()
    creche = services.finding_create(
        ctg=ctg,
        actor=None,
        values={
            "kind": "besoin",
            "title": "Manque de places en crèche",
            "evidence": "38 familles en attente",
            "fields": ["petite_enfance"],
            "communes": [first],
            "public": "familles monoparentales",
            "source_kind": "entretien",
            "source_label": "Entretien avec le RPE",
            "weight": 3,
        },
    )
    rpe = services.finding_create(
        ctg=ctg, actor=None, values={"kind": "atout", "title": "Un RPE actif", "fields": ["petite_enfance"]}
    )
    enjeu = EnjeuFactory(ctg=ctg, title="Accueil du jeune enfant", fields=["petite_enfance"])
    enjeu.findings.add(creche)
    base = f"{live_server.url}/diagnostic/ctg/{ctg.pk}/constats/"

    login(world.users["lecture"].email, PASSWORD)
    assert page.goto(base).status == 200
    assert page.get_by_role("heading", name="Diagnostic : constats").is_visible()
    assert_accessible(page, "Constats (lecture)")
    assert page.goto(f"{base}{creche.pk}/").status == 200
    assert page.get_by_role("link", name="Enjeu « Accueil du jeune enfant »").is_visible()
    assert_accessible(page, "Page d'un constat (lecture)")

    page.context.clear_cookies()
    login(world.users["coordination"].email, PASSWORD)
    assert page.goto(f"{base}?type=besoin").status == 200
    assert_accessible(page, "Constats filtrés (coordination)")
    assert page.goto(f"{base}nouveau/").status == 200
    assert_accessible(page, "Formulaire d'un constat")
    page.get_by_role("button", name="Ajouter le constat").click()
    assert page.get_by_text("Ce champ est obligatoire.").first.is_visible()
    assert_accessible(page, "Formulaire d'un constat avec ses erreurs")
    page.get_by_label("Type de constat").select_option("ressource")
    page.locator("#id_title").fill("Un centre social reconnu")
    page.get_by_role("button", name="Ajouter le constat").click()
    page.wait_for_url(re.compile(rf"{re.escape(base)}\d+/$"))
    assert page.get_by_text("Le constat est ajouté.").is_visible()
    assert Finding.objects.filter(ctg=ctg, title="Un centre social reconnu", kind="ressource").exists()
    assert_accessible(page, "Page d'un constat (coordination)")

    enjeu_page = f"{live_server.url}/plan/ctg/{ctg.pk}/enjeux/{enjeu.pk}/"
    assert page.goto(enjeu_page).status == 200
    assert_accessible(page, "Page de l'enjeu avec ses constats")
    page.get_by_label("Constat du diagnostic").select_option(str(rpe.pk))
    page.get_by_role("button", name="Citer un constat").click()
    page.wait_for_url(f"{enjeu_page}#constats-diagnostic")
    assert set(Enjeu.objects.get(pk=enjeu.pk).findings.values_list("pk", flat=True)) == {creche.pk, rpe.pk}

    url = (
        f"{live_server.url}/plan/ctg/{ctg.pk}/enjeux/depuis-constats/?constats={creche.pk}&constats={rpe.pk}"
    )
    assert page.goto(url).status == 200
    assert page.get_by_label("Un RPE actif").is_checked()
    assert_accessible(page, "Créer un enjeu depuis des constats")
    page.get_by_role("button", name="Créer l'enjeu").click()
    assert_accessible(page, "Créer un enjeu depuis des constats, avec ses erreurs")
    page.locator("#id_title").fill("Soutenir les familles")
    page.get_by_role("button", name="Créer l'enjeu").click()
    page.wait_for_url(re.compile(rf"{re.escape(live_server.url)}/plan/ctg/{ctg.pk}/enjeux/\d+/$"))
    created = Enjeu.objects.get(ctg=ctg, title="Soutenir les familles")
    assert set(created.findings.values_list("pk", flat=True)) == {creche.pk, rpe.pk}
