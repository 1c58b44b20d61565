"""The pages of the findings: list (filters, counts), CSV (formula-safe), detail (source linked, enjeux citing
it), create (from a portrait indicator too), edit, delete."""

import csv
import io

import pytest
from django.urls import reverse

from ctg.core.models import Action, HistoryEntry
from ctg.findings import selectors, services
from ctg.findings.models import Finding
from ctg.organisations.permissions import Role
from tests.plans.factories import EnjeuFactory

INJECTION = '=HYPERLINK("http://evil.example","clic")'


@pytest.fixture
def coordination(client, world):
    client.force_login(world.users[Role.COORDINATION])
    return client


@pytest.fixture
def findings(world):
    actor = world.users[Role.COORDINATION]
    first, second, _third = world.ctg.communes.order_by("code")

    def make(**values):
        return services.finding_create(ctg=world.ctg, actor=actor, values=values)

    return {
        "creche": make(
            kind="besoin",
            title="Manque de places en crèche",
            fields=["petite_enfance"],
            communes=[first],
            evidence="38 familles en attente",
            weight=3,
        ),
        "jeunes": make(kind="faiblesse", title="Peu d'espaces pour les jeunes", fields=["jeunesse"]),
        "rpe": make(
            kind="atout", title="Un RPE actif", fields=["petite_enfance"], communes=[second], weight=1
        ),
        "formula": make(kind="ressource", title=INJECTION, public=INJECTION, weight=1),
    }


def url(name, world, **kwargs):
    return reverse(f"findings:{name}", kwargs={"pk": world.ctg.pk, **kwargs})


def _titles(response) -> list[str]:
    return [row["finding"].title for row in response.context["rows"]]


def test_list_filters_and_counts(world, coordination, findings):
    response = coordination.get(url("list", world))
    assert response.status_code == 200
    assert _titles(response) == [
        "Manque de places en crèche",
        "Peu d'espaces pour les jeunes",
        "Un RPE actif",
        INJECTION,
    ]
    assert ("Besoin", 1) in response.context["counts"] and ("À qualifier", 0) in response.context["counts"]
    html = response.content.decode()
    assert "Ajouter un constat" in html and 'aria-current="page">Constats<' in html
    assert _titles(coordination.get(url("list", world), {"type": "atout"})) == ["Un RPE actif"]
    assert _titles(coordination.get(url("list", world), {"champ": "jeunesse"})) == [
        "Peu d'espaces pour les jeunes"
    ]
    first = world.ctg.communes.order_by("code").first()
    # A commune: its findings and those of the whole territory.
    assert _titles(coordination.get(url("list", world), {"commune": first.code})) == [
        "Manque de places en crèche",
        "Peu d'espaces pour les jeunes",
        INJECTION,
    ]
    response = coordination.get(url("list", world), {"type": "atout", "champ": "jeunesse"})
    assert "Aucun constat ne correspond aux filtres" in response.content.decode()
    # An unknown filter value is ignored, not an error.
    assert len(_titles(coordination.get(url("list", world), {"type": "opinion"}))) == 4


def test_readers_see_no_write_button(client, world, findings):
    client.force_login(world.users[Role.LECTURE])
    html = client.get(url("list", world)).content.decode()
    assert "Ajouter un constat" not in html
    html = client.get(url("detail", world, finding_pk=findings["creche"].pk)).content.decode()
    assert "Modifier le constat" not in html


def test_csv_export_is_formula_safe_and_filtered(world, coordination, findings):
    response = coordination.get(url("csv", world), {"type": "ressource"})
    assert response["Content-Type"].startswith("text/csv")
    assert f"ctg-{world.ctg.pk}-constats.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:2] == ["Type", "Constat"]
    assert len(rows) == 2
    assert rows[1][1] == "'" + INJECTION and rows[1][5] == "'" + INJECTION
    assert rows[1][4] == "Tout le territoire"


def test_detail_shows_source_and_citing_enjeux(world, coordination, findings):
    finding = findings["creche"]
    enjeu = EnjeuFactory(ctg=world.ctg, title="Accueil du jeune enfant")
    enjeu.findings.add(finding)
    response = coordination.get(url("detail", world, finding_pk=finding.pk))
    html = response.content.decode()
    assert "38 familles en attente" in html
    assert reverse("plans:enjeu_detail", args=[world.ctg.pk, enjeu.pk]) in html
    assert "Enjeu « Accueil du jeune enfant »" in html


def test_detail_links_a_registered_source(world, coordination):
    finding = services.finding_create(
        ctg=world.ctg,
        actor=None,
        values={
            "kind": "besoin",
            "title": "Horaires",
            "source_kind": "atelier",
            "source_type": "tests.atelier",
            "source_id": 7,
            "source_label": "Atelier du 23 mai",
        },
    )
    html = coordination.get(url("detail", world, finding_pk=finding.pk)).content.decode()
    assert "Atelier du 23 mai" in html and "/atelier-7/" not in html
    selectors.register_source(
        "tests.atelier", lambda f: ("Atelier « Petite enfance »", f"/atelier-{f.source_id}/")
    )
    try:
        html = coordination.get(url("detail", world, finding_pk=finding.pk)).content.decode()
    finally:
        selectors._RESOLVERS.pop("tests.atelier")
    assert 'href="/atelier-7/"' in html and "Atelier « Petite enfance »" in html
    # Its edit form keeps the generic source.
    response = coordination.get(url("edit", world, finding_pk=finding.pk))
    assert "source_kind" not in response.context["form"].fields
    response = coordination.post(
        url("edit", world, finding_pk=finding.pk), {"kind": "faiblesse", "title": "Horaires", "weight": "2"}
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert (finding.kind, finding.source_type, finding.source_id) == ("faiblesse", "tests.atelier", 7)


def test_create_edit_delete(world, coordination):
    first = world.ctg.communes.order_by("code").first()
    response = coordination.post(
        url("create", world),
        {
            "kind": "besoin",
            "title": "Des familles isolées",
            "evidence": "Entretiens",
            "fields": ["parentalite"],
            "communes": [first.code],
            "public": "familles monoparentales",
            "weight": "3",
            "source_kind": "entretien",
            "source_label": "Entretien avec la PMI",
        },
    )
    finding = Finding.objects.get(ctg=world.ctg)
    assert response.status_code == 302 and response["Location"] == url("detail", world, finding_pk=finding.pk)
    assert (finding.kind, finding.weight, finding.source_kind) == ("besoin", 3, "entretien")
    assert list(finding.communes.all()) == [first]
    assert finding.created_by == world.users[Role.COORDINATION]

    response = coordination.get(url("edit", world, finding_pk=finding.pk))
    assert response.context["form"].initial["communes"] == [first.code]
    response = coordination.post(
        url("edit", world, finding_pk=finding.pk),
        {"kind": "faiblesse", "title": "Des familles isolées", "weight": "2", "source_kind": "saisie"},
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert (finding.kind, finding.weight, finding.source_label, finding.communes.count()) == (
        "faiblesse",
        2,
        "",
        0,
    )

    assert coordination.get(url("delete", world, finding_pk=finding.pk)).status_code == 200
    response = coordination.post(url("delete", world, finding_pk=finding.pk))
    assert response.status_code == 302 and response["Location"] == url("list", world)
    assert not Finding.objects.exists()
    added, changed, deleted = HistoryEntry.objects.filter(action=Action.FINDING).order_by("pk")
    assert added.summary == "Constat ajouté : Des familles isolées"
    assert changed.summary.startswith("Constat modifié : Des familles isolées (")
    assert {"type", "importance", "communes concernées"} <= set(changed.labelled_changes)
    assert deleted.summary == "Constat supprimé : Des familles isolées"


def test_create_refusals_show_the_form_again(world, coordination):
    outside = world.other_ctg.communes.get()
    response = coordination.post(
        url("create", world),
        {
            "kind": "besoin",
            "title": "x" * 301,
            "weight": "2",
            "source_kind": "indicateur",
            "communes": [outside.code],
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) >= {"title", "indicator", "communes"}
    assert not Finding.objects.exists()


def test_create_from_a_portrait_indicator(world, coordination):
    response = coordination.get(url("create", world), {"indicateur": "taux_pauvrete"})
    assert response.status_code == 200
    initial = response.context["form"].initial
    assert initial["source_kind"] == "indicateur" and initial["indicator"] == "taux_pauvrete"
    # No statistics loaded in the tests: the evidence says the figure is not available.
    assert "non disponible" in initial["evidence"]
    assert "CC du Test" in initial["evidence"]
    response = coordination.post(
        url("create", world),
        {
            "kind": "faiblesse",
            "title": "Une pauvreté marquée",
            "weight": "2",
            "source_kind": "indicateur",
            "indicator": "taux_pauvrete",
            "evidence": initial["evidence"],
        },
    )
    assert response.status_code == 302
    finding = Finding.objects.get()
    assert (finding.source_kind, finding.source_ref) == ("indicateur", "taux_pauvrete")
    label, link = selectors.source_url(finding)
    assert link == reverse("diagnostics:ctg", args=[world.ctg.pk])
    # Chosen in the form without evidence: the figure is written in.
    response = coordination.post(
        url("create", world),
        {
            "kind": "besoin",
            "title": "Des allocataires",
            "weight": "2",
            "source_kind": "indicateur",
            "indicator": "allocataires",
        },
    )
    assert response.status_code == 302
    assert "non disponible" in Finding.objects.get(source_ref="allocataires").evidence
    # An unknown indicator in the address is ignored.
    response = coordination.get(url("create", world), {"indicateur": "pas_un_indicateur"})
    assert response.context["form"].initial == {}


def test_indicator_evidence_with_figures(world, monkeypatch):
    """With a figure, its value, year, status and source."""
    from ctg.diagnostics.engine import PARTIEL, Value
    from ctg.findings import prefill

    class Result:
        indicator = prefill.BY_ID["taux_pauvrete"]
        value = Value(14.2, PARTIEL, 0.8, 2021, note="partiel : 2 communes sur 3")
        source = "Insee, FiLoSoFi 2021"

    class Portrait:
        results = [Result()]
        is_fictitious = True

    monkeypatch.setattr(prefill, "build_portrait", lambda *a, **k: Portrait())
    text = prefill.indicator_evidence(world.ctg, "taux_pauvrete")
    assert "14,2" in text and "(2021)" in text and "partiel : 2 communes sur 3" in text
    assert "source : Insee, FiLoSoFi 2021" in text and "fictives" in text


def test_another_dossiers_finding_is_not_found(world, coordination):
    other = services.finding_create(
        ctg=world.other_ctg, actor=None, values={"kind": "atout", "title": "Ailleurs"}
    )
    for name in ("detail", "edit", "delete"):
        assert coordination.get(url(name, world, finding_pk=other.pk)).status_code == 404
    assert coordination.post(url("delete", world, finding_pk=other.pk)).status_code == 404
    assert Finding.objects.filter(pk=other.pk).exists()
