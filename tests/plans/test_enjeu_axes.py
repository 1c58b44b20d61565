"""The enjeu tagged with the axes of the CAF's Schéma départemental des services aux familles (issue 14): only
the axes in force of the dossier's CAF and département, through `enjeu_axes_set` and through the enjeu's form
(checkboxes, shown only when the CAF has axes); a refused tag changes nothing (neither the tags nor the
history); the tree and the enjeu's page show the axes, escaped."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ctg.core.models import Action, HistoryEntry
from ctg.organisations.models import Organisation
from ctg.organisations.schema_axes import axis_create
from ctg.plans.models import Enjeu
from ctg.plans.services.schema_axes import axes_offered, enjeu_axes_set
from tests.factories import CommuneFactory, CtgFactory, DepartementFactory, EpciFactory, OrganisationFactory
from tests.plans.factories import EnjeuFactory


@pytest.fixture
def axes(world):
    caf = world.ctg.caf
    return {
        "accueil": axis_create(
            actor=None, caf=caf, departement="81", code="1", title="Accueil du jeune enfant"
        ),
        "parents": axis_create(actor=None, caf=caf, departement="81", code="2", title="Parentalité"),
        "old": axis_create(actor=None, caf=caf, departement="81", code="3", title="Ancien", is_active=False),
        "aude": axis_create(actor=None, caf=world.other_ctg.caf, departement="11", code="1", title="Aude"),
        "other_tarn_caf": axis_create(
            actor=None,
            caf=OrganisationFactory(
                kind=Organisation.Kind.CAF, name="Autre CAF", departement=caf.departement
            ),
            departement="81",
            code="1",
            title="Autre CAF du Tarn",
        ),
    }


def _state(enjeu):
    return sorted(enjeu.schema_axes.values_list("pk", flat=True)), HistoryEntry.objects.count()


def test_an_enjeu_takes_the_axes_of_its_caf_and_its_history_says_so(world, axes):
    enjeu = EnjeuFactory(ctg=world.ctg, title="Petite enfance")
    actor = world.users["coordination"]
    enjeu_axes_set(enjeu=enjeu, axes=[axes["accueil"], str(axes["parents"].pk)], actor=actor)
    assert set(enjeu.schema_axes.all()) == {axes["accueil"], axes["parents"]}
    entry = HistoryEntry.objects.filter(ctg=world.ctg, action=Action.ENJEU).latest("pk")
    assert entry.item_id == enjeu.pk
    assert entry.labelled_changes == {
        "axes du schéma départemental": ["", "1 — Accueil du jeune enfant ; 2 — Parentalité"]
    }
    count = HistoryEntry.objects.count()
    enjeu_axes_set(enjeu=enjeu, axes=[axes["parents"], axes["accueil"]], actor=actor)  # same axes
    assert HistoryEntry.objects.count() == count
    enjeu_axes_set(enjeu=enjeu, axes=[], actor=actor)
    assert not enjeu.schema_axes.exists()


@pytest.mark.parametrize("bad", ["aude", "other_tarn_caf", "old", "junk", "missing"])
def test_a_refused_axis_changes_nothing(world, axes, bad):
    enjeu = EnjeuFactory(ctg=world.ctg)
    enjeu.schema_axes.add(axes["accueil"])
    before = _state(enjeu)
    value = {"junk": "<script>", "missing": 999999}.get(bad) or axes[bad]
    with pytest.raises(ValidationError) as refused:
        enjeu_axes_set(enjeu=enjeu, axes=[axes["parents"], value], actor=world.users["coordination"])
    assert "schema_axes" in refused.value.message_dict
    assert _state(enjeu) == before


def test_an_axis_deactivated_since_may_stay(world, axes):
    enjeu = EnjeuFactory(ctg=world.ctg)
    enjeu.schema_axes.add(axes["old"])
    assert axes["old"] in axes_offered(world.ctg, enjeu)
    assert axes["old"] not in axes_offered(world.ctg)
    enjeu_axes_set(enjeu=enjeu, axes=[axes["old"], axes["accueil"]], actor=None)
    assert set(enjeu.schema_axes.all()) == {axes["old"], axes["accueil"]}


def test_a_dossier_across_two_departements_takes_its_cafs_axes_of_both(world, axes):
    """An axis of the dossier's CAF in a département of none of its communes is refused (written here without
    the service, which keeps a CAF to its own département)."""
    herault = DepartementFactory(code="34", name="Hérault", region=world.ctg.caf.departement.region)
    elsewhere = axes["accueil"].__class__.objects.create(
        caf=world.ctg.caf, departement=herault, code="9", title="Ailleurs"
    )
    enjeu = EnjeuFactory(ctg=world.ctg)
    with pytest.raises(ValidationError):
        enjeu_axes_set(enjeu=enjeu, axes=[elsewhere], actor=None)
    epci = EpciFactory(name="CC à cheval")
    across = CtgFactory(
        caf=world.ctg.caf,
        epci=epci,
        communes=[
            CommuneFactory(epci=epci, departement=world.ctg.caf.departement),
            CommuneFactory(epci=epci, departement=herault),
        ],
    )
    enjeu = EnjeuFactory(ctg=across)
    enjeu_axes_set(enjeu=enjeu, axes=[elsewhere, axes["accueil"]], actor=None)
    assert enjeu.schema_axes.count() == 2


# --- the enjeu's form, the tree and the enjeu's page -------------------------------------------------------


@pytest.fixture
def coordination(client, world):
    client.force_login(world.users["coordination"])
    return client


def test_the_form_offers_the_axes_only_when_the_caf_has_some(world, coordination):
    enjeu = EnjeuFactory(ctg=world.ctg, title="Petite enfance")
    edit = reverse("plans:enjeu_edit", args=[world.ctg.pk, enjeu.pk])
    assert "Axes du schéma départemental" not in coordination.get(edit).content.decode()
    # Without axes, a posted axis is ignored: the enjeu is saved, nothing tagged.
    aude = axis_create(actor=None, caf=world.other_ctg.caf, departement="11", code="1", title="Aude")
    response = coordination.post(edit, {"title": "Petite enfance", "schema_axes": [aude.pk]})
    assert response.status_code == 302
    assert not enjeu.schema_axes.exists()


def test_the_form_tags_the_enjeu_and_refuses_another_cafs_axis(world, axes, coordination):
    enjeu = EnjeuFactory(ctg=world.ctg, title="Petite enfance")
    edit = reverse("plans:enjeu_edit", args=[world.ctg.pk, enjeu.pk])
    page = coordination.get(edit).content.decode()
    assert "Axe 1 — Accueil du jeune enfant" in page and "Axe 2 — Parentalité" in page
    assert "Ancien" not in page and "Autre CAF du Tarn" not in page and "Aude" not in page
    before = _state(enjeu)
    for bad in (axes["aude"].pk, axes["other_tarn_caf"].pk, axes["old"].pk, "junk"):
        response = coordination.post(
            edit, {"title": "Nouveau titre", "schema_axes": [axes["accueil"].pk, bad]}
        )
        assert response.status_code == 400
        if bad != "junk":
            assert (
                "Cet axe n&#x27;est pas un axe du schéma de la CAF de ce dossier."
                in response.content.decode()
            )
    enjeu.refresh_from_db()
    assert enjeu.title == "Petite enfance"
    assert _state(enjeu) == before
    response = coordination.post(edit, {"title": "Petite enfance", "schema_axes": [axes["parents"].pk]})
    assert response.status_code == 302
    assert list(enjeu.schema_axes.all()) == [axes["parents"]]
    # Edited again, the checkbox is ticked.
    assert coordination.get(edit).context["form"].initial["schema_axes"] == [axes["parents"].pk]


def test_a_new_enjeu_with_its_axes(world, axes, coordination):
    create = reverse("plans:enjeu_create", args=[world.ctg.pk])
    response = coordination.post(create, {"title": "Parents", "schema_axes": [axes["parents"].pk]})
    assert response.status_code == 302
    enjeu = Enjeu.objects.get(ctg=world.ctg, title="Parents")
    assert list(enjeu.schema_axes.all()) == [axes["parents"]]
    count = Enjeu.objects.count()
    response = coordination.post(create, {"title": "Intrus", "schema_axes": [axes["aude"].pk]})
    assert response.status_code == 400
    assert Enjeu.objects.count() == count


def test_the_tree_and_the_enjeu_page_show_the_axes_escaped(world, coordination):
    axis = axis_create(
        actor=None, caf=world.ctg.caf, departement="81", code="4", title="<script>alert(1)</script>"
    )
    enjeu = EnjeuFactory(ctg=world.ctg, title="Jeunesse")
    enjeu_axes_set(enjeu=enjeu, axes=[axis], actor=None)
    for url in (
        reverse("plans:tree", args=[world.ctg.pk]),
        reverse("plans:enjeu_detail", args=[world.ctg.pk, enjeu.pk]),
        reverse("plans:enjeu_edit", args=[world.ctg.pk, enjeu.pk]),
    ):
        page = coordination.get(url).content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, url
        assert "<script>alert(1)" not in page, url
    assert (
        "Axes du schéma départemental"
        in coordination.get(reverse("plans:tree", args=[world.ctg.pk])).content.decode()
    )


# --- the plan's exchange: the axes exported to be read, ignored on import ----------------------------------


def test_the_exchange_exports_the_axes_and_the_import_ignores_them(world, axes):
    import io

    from openpyxl import load_workbook

    from ctg.exchange.export import export_plan, export_xlsx
    from ctg.exchange.imports import import_plan, import_xlsx

    enjeu = EnjeuFactory(ctg=world.ctg, title="Petite enfance")
    enjeu_axes_set(enjeu=enjeu, axes=[axes["accueil"], axes["parents"]], actor=None)
    plan = export_plan(world.ctg)
    assert plan["enjeux"][0]["schema_axes"] == ["1 — Accueil du jeune enfant", "2 — Parentalité"]
    sheet = load_workbook(io.BytesIO(export_xlsx(world.ctg)))["Enjeux"]
    header = [cell.value for cell in sheet[1]]
    row = [cell.value for cell in sheet[2]]
    assert row[header.index("axes du schéma")] == "1 — Accueil du jeune enfant ; 2 — Parentalité"
    # Imported into another CAF's empty plan: the enjeux come, the axes (the Tarn CAF's) do not.
    import_plan(world.other_ctg, plan, None)
    assert world.other_ctg.enjeux.get().title == "Petite enfance"
    assert not world.other_ctg.enjeux.get().schema_axes.exists()
    empty = CtgFactory(caf=world.ctg.caf, epci=world.ctg.epci, communes=list(world.ctg.communes.all()))
    import_xlsx(empty, export_xlsx(world.ctg), None)
    assert not empty.enjeux.get().schema_axes.exists()
