"""The findings in the plan: cite / remove on the enjeu's page, « Créer un enjeu depuis des constats », « Ce
qui fonde cette fiche », the tree, and the exchange's « constats » column (another dossier's finding changes
nothing anywhere)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ctg.core.models import Action, HistoryEntry
from ctg.exchange.export import export_plan
from ctg.exchange.imports import import_plan
from ctg.findings import services as findings_services
from ctg.findings.models import Finding
from ctg.organisations.permissions import Role
from ctg.plans import services as plan_services
from ctg.plans.models import Enjeu
from tests.factories import CtgFactory
from tests.plans.factories import EnjeuFactory, FicheFactory


@pytest.fixture
def coordination(client, world):
    client.force_login(world.users[Role.COORDINATION])
    return client


def _finding(ctg, title="Manque de places en crèche", **values) -> Finding:
    return findings_services.finding_create(
        ctg=ctg, actor=None, values={"kind": "besoin", "title": title, "fields": ["petite_enfance"], **values}
    )


def _state():
    return (
        sorted(Enjeu.findings.through.objects.values_list("enjeu_id", "finding_id")),
        Enjeu.objects.count(),
        HistoryEntry.objects.count(),
    )


def test_cite_and_remove_on_the_enjeu_page(world, coordination):
    enjeu = EnjeuFactory(ctg=world.ctg, title="Accueil du jeune enfant")
    finding = _finding(world.ctg)
    page = reverse("plans:enjeu_detail", args=[world.ctg.pk, enjeu.pk])
    html = coordination.get(page).content.decode()
    assert "Aucun constat du diagnostic n'est cité pour cet enjeu." in html and "Citer un constat" in html
    response = coordination.post(
        reverse("plans:enjeu_finding_cite", args=[world.ctg.pk, enjeu.pk]), {"citer-finding": finding.pk}
    )
    assert response.status_code == 302 and response["Location"].endswith("#constats-diagnostic")
    assert list(enjeu.findings.all()) == [finding]
    entry = HistoryEntry.objects.filter(action=Action.ENJEU).latest("pk")
    assert (
        entry.summary == "Constat cité pour l'enjeu « Accueil du jeune enfant » : Manque de places en crèche"
    )
    assert (entry.item_type, entry.item_id) == ("enjeu", enjeu.pk)
    html = coordination.get(page).content.decode()
    assert reverse("findings:detail", args=[world.ctg.pk, finding.pk]) in html
    # Cited twice: refused (it is no longer offered).
    response = coordination.post(
        reverse("plans:enjeu_finding_cite", args=[world.ctg.pk, enjeu.pk]), {"citer-finding": finding.pk}
    )
    assert response.status_code == 400
    response = coordination.post(
        reverse("plans:enjeu_finding_remove", args=[world.ctg.pk, enjeu.pk]), {"finding": finding.pk}
    )
    assert response.status_code == 302
    assert not enjeu.findings.exists() and Finding.objects.filter(pk=finding.pk).exists()
    entry = HistoryEntry.objects.filter(action=Action.ENJEU).latest("pk")
    assert entry.summary.startswith("Constat retiré de l'enjeu « Accueil du jeune enfant »")


def test_another_dossiers_finding_cannot_be_cited_nor_removed(world, coordination):
    enjeu = EnjeuFactory(ctg=world.ctg)
    other = _finding(world.other_ctg)
    before = _state()
    response = coordination.post(
        reverse("plans:enjeu_finding_cite", args=[world.ctg.pk, enjeu.pk]), {"citer-finding": other.pk}
    )
    assert response.status_code == 400
    coordination.post(
        reverse("plans:enjeu_finding_remove", args=[world.ctg.pk, enjeu.pk]), {"finding": other.pk}
    )
    coordination.post(reverse("plans:enjeu_finding_remove", args=[world.ctg.pk, enjeu.pk]), {"finding": "x"})
    assert _state() == before
    with pytest.raises(ValidationError):
        plan_services.finding_cite(enjeu=enjeu, actor=None, finding=other)
    assert _state() == before


def test_enjeu_from_findings(world, coordination):
    a = _finding(world.ctg, "Manque de places en crèche")
    b = _finding(world.ctg, "Peu d'accueil le mercredi", fields=["enfance"])
    c = _finding(world.ctg, "Un RPE actif")
    other = _finding(world.other_ctg, "Ailleurs")
    page = reverse("plans:enjeu_from_findings", args=[world.ctg.pk])
    response = coordination.get(f"{page}?constats={a.pk}&constats={b.pk}&constats={other.pk}&constats=x")
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["findings"] == [a.pk, b.pk]  # another dossier's id dropped
    assert form.initial["fields"] == ["petite_enfance", "enfance"]
    assert {pk for pk, _label in form.fields["findings"].choices} == {a.pk, b.pk, c.pk}
    html = response.content.decode()
    assert "Ailleurs" not in html
    before = _state()
    # Another dossier's finding in the POST: refused, nothing written.
    response = coordination.post(page, {"title": "Accueil", "findings": [a.pk, other.pk]})
    assert response.status_code == 400
    response = coordination.post(page, {"title": "Accueil", "findings": []})
    assert response.status_code == 400
    assert _state() == before
    response = coordination.post(
        page, {"title": "Accueil du jeune enfant", "fields": ["petite_enfance"], "findings": [a.pk, b.pk]}
    )
    enjeu = Enjeu.objects.get(ctg=world.ctg)
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:enjeu_detail", args=[world.ctg.pk, enjeu.pk])
    assert set(enjeu.findings.all()) == {a, b}
    entry = HistoryEntry.objects.filter(action=Action.ENJEU).latest("pk")
    assert entry.summary == "Enjeu ajouté : « Accueil du jeune enfant »"
    assert "constats qualitatifs" in entry.labelled_changes


def test_enjeu_from_findings_without_findings(world, coordination):
    html = coordination.get(reverse("plans:enjeu_from_findings", args=[world.ctg.pk])).content.decode()
    assert "ne compte encore aucun constat" in html


def test_enjeu_update_with_findings_and_history(world):
    enjeu = EnjeuFactory(ctg=world.ctg, title="Parentalité")
    a, b = _finding(world.ctg, "A"), _finding(world.ctg, "B")
    plan_services.enjeu_update(enjeu=enjeu, actor=None, findings=[a, b.pk])
    assert set(enjeu.findings.all()) == {a, b}
    entry = HistoryEntry.objects.filter(action=Action.ENJEU).latest("pk")
    assert entry.labelled_changes["constats qualitatifs"] == ["", "A, B"]
    count = HistoryEntry.objects.count()
    plan_services.enjeu_update(enjeu=enjeu, actor=None, findings=[b, a])
    assert HistoryEntry.objects.count() == count
    with pytest.raises(ValidationError):
        plan_services.enjeu_update(enjeu=enjeu, actor=None, findings=[_finding(world.other_ctg)])


def test_tree_and_fiche_show_what_grounds_them(world, coordination):
    fiche = FicheFactory(ctg=world.ctg, title="Micro-crèche")
    enjeu = fiche.objectives.get().strategic.enjeu
    finding = _finding(world.ctg, evidence="38 familles en attente")
    plan_services.finding_cite(enjeu=enjeu, actor=None, finding=finding)
    html = coordination.get(reverse("plans:tree", args=[world.ctg.pk])).content.decode()
    assert "Constats du diagnostic :</strong> Manque de places en crèche" in html
    assert reverse("plans:enjeu_from_findings", args=[world.ctg.pk]) in html
    html = coordination.get(reverse("plans:fiche_detail", args=[world.ctg.pk, fiche.pk])).content.decode()
    assert "Ce qui fonde cette fiche" in html
    assert "38 familles en attente" in html
    assert reverse("findings:detail", args=[world.ctg.pk, finding.pk]) in html


def test_deleting_a_cited_finding_names_the_enjeux(world):
    enjeu = EnjeuFactory(ctg=world.ctg, title="Accueil")
    finding = _finding(world.ctg)
    enjeu.findings.add(finding)
    findings_services.finding_delete(finding=finding, actor=None)
    assert not enjeu.findings.exists()
    entry = HistoryEntry.objects.filter(action=Action.FINDING).latest("pk")
    assert entry.summary.endswith("(il n'est plus cité par : Enjeu « Accueil »)")


# --- the exchange ------------------------------------------------------------------------------------------


@pytest.fixture
def empty(world):
    ctg = world.ctg
    return CtgFactory(
        caf=ctg.caf, epci=ctg.epci, communes=list(ctg.communes.all()), start_year=2025, end_year=2028
    )


def test_exchange_reuses_a_finding_of_the_same_title(world, empty):
    enjeu = EnjeuFactory(ctg=world.ctg, title="Accueil", fields=["petite_enfance"])
    enjeu.findings.add(_finding(world.ctg, "Listes d'attente"), _finding(world.ctg, "Un RPE actif"))
    plan = export_plan(world.ctg)
    assert plan["enjeux"][0]["findings"] == "Listes d'attente\nUn RPE actif"
    existing = _finding(empty, "Un RPE actif", kind="atout")
    import_plan(empty, plan, world.users[Role.COORDINATION])
    imported = Enjeu.objects.get(ctg=empty)
    titles = [f.title for f in imported.findings.order_by("title")]
    assert titles == ["Listes d'attente", "Un RPE actif"]
    assert imported.findings.get(title="Un RPE actif") == existing  # found again, not duplicated
    assert Finding.objects.filter(ctg=empty).count() == 2
    created = Finding.objects.get(ctg=empty, title="Listes d'attente")
    assert (created.kind, created.source_label, created.fields) == (
        "a_qualifier",
        "Plan d'action importé",
        ["petite_enfance"],
    )


def test_exchange_refuses_an_over_long_finding_line(world, empty):
    EnjeuFactory(ctg=world.ctg, title="Accueil")
    plan = export_plan(world.ctg)
    plan["enjeux"][0]["findings"] = "Court\n" + "x" * 301
    with pytest.raises(ValidationError) as refusal:
        import_plan(empty, plan, None)
    assert "301 caractères" in " ".join(refusal.value.messages)
    assert not Finding.objects.filter(ctg=empty).exists() and not Enjeu.objects.filter(ctg=empty).exists()
