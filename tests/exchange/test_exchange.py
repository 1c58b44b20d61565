import datetime
import io
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from ctg.conventions.models import Field
from ctg.core.models import Action, HistoryEntry
from ctg.exchange.export import export_plan, export_xlsx
from ctg.exchange.imports import import_plan, import_xlsx
from ctg.exchange.layout import PlanImportError
from ctg.findings.models import Finding
from ctg.organisations.models import Organisation
from ctg.plans import rules, services
from ctg.plans.forms import FicheForm
from ctg.plans.models import (
    BudgetLine,
    Enjeu,
    FicheAction,
    FicheStep,
    Funder,
    IndicatorValue,
    OperationalObjective,
    PlanIndicator,
    StrategicObjective,
)
from tests.factories import CtgFactory, OrganisationFactory

FICHE_FIELDS, FICHE_M2M = services.FICHE_FIELDS, services.FICHE_M2M

STATUS_LABELS = "À venir, En cours, Réalisée, En pause, Abandonnée"


@pytest.fixture
def plan(world):
    """The plan of world.ctg: 2 enjeux, 3 operational objectives, 3 fiches with everything filled."""
    ctg = world.ctg
    communes = list(ctg.communes.order_by("code"))
    e1 = Enjeu.objects.create(
        ctg=ctg,
        title="Accueil du jeune enfant",
        description="Places d'accueil insuffisantes.",
        fields=[Field.PETITE_ENFANCE, Field.PARENTALITE],
        attention_indicators=["taux_couverture_accueil_jeune_enfant", "population"],
        position=1,
    )
    e1.findings.set(
        [
            Finding.objects.create(ctg=ctg, kind=Finding.Kind.BESOIN, title="Listes d'attente longues."),
            Finding.objects.create(ctg=ctg, kind=Finding.Kind.ATOUT, title="Un RPE actif.", weight=1),
        ]
    )
    e2 = Enjeu.objects.create(ctg=ctg, title="Jeunesse", fields=[Field.JEUNESSE], position=2)
    s11 = StrategicObjective.objects.create(enjeu=e1, title="Développer l'offre", position=1)
    s21 = StrategicObjective.objects.create(
        enjeu=e2, title="Accompagner les jeunes", description="Vers l'autonomie.", position=1
    )
    o111 = OperationalObjective.objects.create(strategic=s11, title="Créer une micro-crèche", position=1)
    o112 = OperationalObjective.objects.create(strategic=s11, title="Former les assistantes", position=2)
    o211 = OperationalObjective.objects.create(strategic=s21, title="Ouvrir un point jeunes", position=1)
    pilot = OrganisationFactory(name="Association Les Petits Pas")
    caf = ctg.caf

    f1 = FicheAction.objects.create(
        ctg=ctg,
        position=1,
        title="Micro-crèche de Test",
        fields=[Field.PETITE_ENFANCE],
        context="Aucune place le mercredi.",
        description="Ouvrir 10 places.",
        target_public="Familles",
        all_communes=False,
        pilot_organisation=pilot,
        pilot_person="Claire Martin",
        start_date=datetime.date(2025, 3, 1),
        end_date=datetime.date(2027, 6, 30),
        status=FicheAction.Status.EN_COURS,
        priority=FicheAction.Priority.HAUTE,
        notes="Terrain trouvé.",
    )
    f1.objectives.set([o111, o211])
    f1.communes.set(communes[:2])
    f1.partners.set([caf, OrganisationFactory(name="Mairie annexe", kind=Organisation.Kind.AUTRE)])
    # Numbered after f1 although of the same position: its first objective comes after f1's.
    f2 = FicheAction.objects.create(
        ctg=ctg, position=1, title="Relais petite enfance itinérant", status=FicheAction.Status.A_VENIR
    )
    f2.objectives.set([o112])
    f3 = FicheAction.objects.create(
        ctg=ctg,
        position=1,
        title="Point information jeunesse",
        all_communes=False,
        priority=FicheAction.Priority.BASSE,
        start_date=datetime.date(2026, 1, 1),
    )
    f3.objectives.set([o211])
    f3.communes.set(communes[2:])
    f3.partners.set([pilot])
    for fiche in (f1, f3):
        FicheStep.objects.create(fiche=fiche, year=2025, description="Étude de besoins")
        FicheStep.objects.create(fiche=fiche, year=2026, description="Ouverture")
        BudgetLine.objects.create(
            fiche=fiche, year=2025, funder=Funder.CAF, planned=Decimal("12000.50"), spent=Decimal("8000")
        )
        BudgetLine.objects.create(fiche=fiche, year=2025, funder=Funder.EPCI, planned=Decimal("5000"))
        BudgetLine.objects.create(fiche=fiche, year=2026, funder=Funder.CAF, planned=Decimal("15000"))
        indicator = PlanIndicator.objects.create(
            fiche=fiche,
            label="Places créées",
            unit="places",
            nature=PlanIndicator.Nature.RESULT,
            baseline_value=Decimal("0"),
            baseline_year=2024,
            position=1,
        )
        IndicatorValue.objects.create(
            indicator=indicator, year=2026, kind=IndicatorValue.Kind.TARGET, value=Decimal("10")
        )
        IndicatorValue.objects.create(
            indicator=indicator, year=2026, kind=IndicatorValue.Kind.REALISED, value=Decimal("7.5")
        )
        second = PlanIndicator.objects.create(
            fiche=fiche,
            label="Taux de couverture",
            unit="%",
            direction=PlanIndicator.Direction.DOWN,
            nature=PlanIndicator.Nature.MEANS,
            portrait_indicator="taux_couverture_accueil_jeune_enfant",
            territory_code=ctg.epci_id,
            position=2,
        )
        IndicatorValue.objects.create(
            indicator=second,
            year=2025,
            kind=IndicatorValue.Kind.REALISED,
            value=Decimal("42.1234"),
            origin=IndicatorValue.Origin.OPEN_DATA,
            source="Cnaf",
        )
    return ctg


@pytest.fixture
def empty(world):
    """A second dossier on the same territory and period (the imported dates and years must be of its period),
    with an empty plan."""
    ctg = world.ctg
    return CtgFactory(
        caf=ctg.caf,
        epci=ctg.epci,
        communes=list(ctg.communes.all()),
        start_year=ctg.start_year,
        end_year=ctg.end_year,
        title="Autre CTG du Test",
    )


@pytest.fixture
def actor(world):
    return world.users["coordination"]


def _counts():
    return (
        Enjeu.objects.count(),
        StrategicObjective.objects.count(),
        OperationalObjective.objects.count(),
        FicheAction.objects.count(),
        FicheStep.objects.count(),
        BudgetLine.objects.count(),
        PlanIndicator.objects.count(),
        IndicatorValue.objects.count(),
        Organisation.objects.count(),
        HistoryEntry.objects.count(),
    )


def _edit(data: bytes, change) -> bytes:
    workbook = load_workbook(io.BytesIO(data))
    change(workbook)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _column(sheet, header) -> int:
    for cell in sheet[1]:
        if cell.value == header:
            return cell.column
    raise AssertionError(header)


def _set(sheet_name, line, header, value):
    def change(workbook):
        sheet = workbook[sheet_name]
        sheet.cell(row=line, column=_column(sheet, header), value=value)

    return change


def _refused(empty, actor, data) -> list[str]:
    before = _counts()
    with pytest.raises(PlanImportError) as caught:
        import_xlsx(empty, data, actor)
    assert _counts() == before
    assert not empty.enjeux.exists()
    return caught.value.messages


# --- export --------------------------------------------------------------------------------------------


def test_export_plan_numbers_and_content(plan):
    data = export_plan(plan)
    json.dumps(data)  # serialisable
    assert data["format"] == "ctg-plan"
    assert [e["number"] for e in data["enjeux"]] == ["1", "2"]
    assert [o["number"] for o in data["enjeux"][0]["objectives"][0]["operational"]] == ["1.1.1", "1.1.2"]
    assert [f["number"] for f in data["fiches"]] == ["1.1.1", "1.1.2", "2.1.1"]
    first = data["fiches"][0]
    assert first["objectives"] == ["1.1.1", "2.1.1"]
    assert first["status"] == "en_cours"
    assert first["start_date"] == "2025-03-01"
    assert first["budget"][0] == {"year": 2025, "funder": "caf", "planned": "12000.50", "spent": "8000.00"}
    assert first["indicators"][0]["values"][0]["kind"] == "target"
    assert data["fiches"][1]["all_communes"] is True
    # Stable: twice the same.
    assert export_plan(plan) == data


def test_export_xlsx_layout(plan):
    workbook = load_workbook(io.BytesIO(export_xlsx(plan)))
    assert workbook.sheetnames == [
        "Enjeux",
        "Objectifs",
        "Fiches",
        "Étapes",
        "Budget",
        "Indicateurs",
        "Valeurs",
        "Mode d'emploi",
    ]
    fiches = workbook["Fiches"]
    statuses = [v for v in fiches.data_validations.dataValidation if "N2:N1000" in str(v.sqref)]
    assert statuses[0].formula1 == '"À venir,En cours,Réalisée,En pause,Abandonnée"'
    headers = [c.value for c in fiches[1]]
    assert headers[:3] == ["numéro", "objectifs", "intitulé"]
    assert all(c.font.bold for c in fiches[1])
    assert fiches.freeze_panes == "A2"
    assert fiches.column_dimensions["C"].width == 45
    row = {h: c.value for h, c in zip(headers, fiches[2], strict=True)}
    assert row["numéro"] == "1.1.1"
    assert row["objectifs"] == "1.1.1 ; 2.1.1"
    assert row["statut"] == "En cours"
    assert row["priorité"] == "Haute"
    assert row["début"] == datetime.datetime(2025, 3, 1)
    assert row["champs"] == "Petite enfance (0-3 ans)"
    assert row["pilote"] == "Association Les Petits Pas"
    assert {h: c.value for h, c in zip(headers, fiches[3], strict=True)}["communes"] == "toutes"
    budget = workbook["Budget"]
    assert [c.value for c in budget[2]] == ["1.1.1", 2025, "CAF", 12000.5, 8000]
    objectives = workbook["Objectifs"]
    assert [c.value for c in objectives[3]][:5] == [
        "1.1.1",
        "1",
        "opérationnel",
        "1.1",
        "Créer une micro-crèche",
    ]
    values = workbook["Valeurs"]
    assert [c.value for c in values[2]][:6] == ["1.1.1", "1", 2026, "cible", 10, "saisie"]
    indicators = workbook["Indicateurs"]
    assert [c.value for c in indicators[3]][4:6] == ["baisse", "Moyens"]


# --- round trips ---------------------------------------------------------------------------------------


def test_round_trip_json(plan, empty, actor):
    before = export_plan(plan)
    organisations = Organisation.objects.count()
    counts = import_plan(empty, json.loads(json.dumps(before)), actor)
    assert counts == {"enjeux": 2, "fiches": 3}
    assert export_plan(empty) == before
    assert Organisation.objects.count() == organisations  # every name matched an existing organisation
    entry = empty.history.get(action=Action.PLAN_IMPORT)
    assert entry.summary == "Import du plan d'action (2 enjeux, 3 fiches)"
    assert entry.actor == actor
    # The « constats » of the enjeux became findings of the dossier, « à qualifier », cited by the enjeu.
    findings = list(empty.constats.order_by("pk"))
    assert [f.title for f in findings] == ["Listes d'attente longues.", "Un RPE actif."]
    assert {f.kind for f in findings} == {Finding.Kind.A_QUALIFIER}
    assert findings[0].fields == [Field.PETITE_ENFANCE, Field.PARENTALITE]
    assert list(empty.enjeux.get(title="Accueil du jeune enfant").findings.order_by("pk")) == findings
    assert (
        empty.history.get(action=Action.FINDING).summary
        == "2 constat(s) créé(s) par l'import du plan d'action"
    )
    fiche = empty.fiches.get(title="Micro-crèche de Test")
    assert fiche.created_by == actor
    assert fiche.pilot_organisation.name == "Association Les Petits Pas"


def test_round_trip_xlsx(plan, empty, actor):
    before = export_plan(plan)
    import_xlsx(empty, export_xlsx(plan), actor)
    assert export_plan(empty) == before
    # And once more through the workbook of the imported plan.
    third = CtgFactory(
        caf=plan.caf, epci=plan.epci, communes=list(plan.communes.all()), start_year=2025, end_year=2028
    )
    import_xlsx(third, export_xlsx(empty), None)
    assert export_plan(third) == before


def test_import_creates_unknown_organisations_as_autre(plan, empty, actor):
    data = _edit(export_xlsx(plan), _set("Fiches", 2, "partenaires", "Centre social Nouveau ; Mairie annexe"))
    import_xlsx(empty, data, actor)
    created = Organisation.objects.get(name="Centre social Nouveau")
    assert created.kind == Organisation.Kind.AUTRE
    assert Organisation.objects.filter(name="Mairie annexe").count() == 1


def test_hand_filled_workbook_is_renumbered(plan, empty, actor):
    """Numbers need not be contiguous; labels are read case- and accent-insensitively."""

    def change(workbook):
        workbook["Fiches"].cell(row=3, column=1, value="1.1.7")
        workbook["Fiches"].cell(row=3, column=_column(workbook["Fiches"], "statut"), value="realisee")
        workbook["Fiches"].cell(row=3, column=_column(workbook["Fiches"], "priorité"), value="HAUTE")

    import_xlsx(empty, _edit(export_xlsx(plan), change), actor)
    data = export_plan(empty)
    assert [f["number"] for f in data["fiches"]] == ["1.1.1", "1.1.2", "2.1.1"]
    assert data["fiches"][1]["status"] == "realisee"
    assert data["fiches"][1]["priority"] == "haute"


def test_fiche_without_objective_is_exported_but_not_imported(plan, empty, actor):
    """Exported as « 0.0.N »; refused on import, as the fiche form refuses a fiche without objective
    (`ctg.plans.rules`)."""
    loose = FicheAction.objects.create(ctg=plan, position=1, title="Fiche hors objectif")
    PlanIndicator.objects.create(fiche=loose, label="Participants", position=1)
    before = export_plan(plan)
    assert before["fiches"][-1]["number"] == "0.0.1"
    assert before["fiches"][-1]["objectives"] == []
    assert _refused(empty, actor, export_xlsx(plan)) == [
        "Feuille « Fiches », ligne 5, colonne « objectifs » : rattachez la fiche à au moins un objectif "
        "opérationnel."
    ]


def test_order_under_a_strategic_objective_survives(plan, empty, actor):
    """Fiches are ordered by their first objective, then their position: positions are rebuilt so."""
    other = FicheAction.objects.create(ctg=plan, position=0, title="Autre fiche")
    other.objectives.set(OperationalObjective.objects.filter(title="Former les assistantes"))
    before = export_plan(plan)
    assert [f["title"] for f in before["fiches"]][:3] == [
        "Micro-crèche de Test",
        "Autre fiche",
        "Relais petite enfance itinérant",
    ]
    import_plan(empty, before, actor)
    assert export_plan(empty) == before


def test_empty_choice_cells_take_the_defaults(plan, empty, actor):
    def change(workbook):
        for header in ("statut", "priorité"):
            _set("Fiches", 2, header, " ")(workbook)

    import_xlsx(empty, _edit(export_xlsx(plan), change), actor)
    fiche = empty.fiches.get(title="Micro-crèche de Test")
    assert (fiche.status, fiche.priority) == (FicheAction.Status.A_VENIR, FicheAction.Priority.MOYENNE)


# --- refusals ------------------------------------------------------------------------------------------


def test_refuses_a_plan_that_is_not_empty(plan, actor):
    data = export_xlsx(plan)
    before = _counts()
    with pytest.raises(PlanImportError) as caught:
        import_xlsx(plan, data, actor)
    assert "n'est pas vide" in caught.value.messages[0]
    assert _counts() == before


def test_missing_sheet(plan, empty, actor):
    data = _edit(export_xlsx(plan), lambda workbook: workbook.remove(workbook["Budget"]))
    assert _refused(empty, actor, data) == ["Feuille « Budget » absente du classeur."]


def test_missing_column(plan, empty, actor):
    def change(workbook):
        sheet = workbook["Fiches"]
        sheet.delete_cols(_column(sheet, "statut"))

    messages = _refused(empty, actor, _edit(export_xlsx(plan), change))
    assert messages == ["Feuille « Fiches », colonne « statut » : colonne absente de la ligne d'en-tête."]


def test_unknown_status(plan, empty, actor):
    messages = _refused(empty, actor, _edit(export_xlsx(plan), _set("Fiches", 3, "statut", "fini")))
    assert messages == [
        f"Feuille « Fiches », ligne 3, colonne « statut » : statut inconnu « fini » (valeurs possibles : "
        f"{STATUS_LABELS})."
    ]


def test_unknown_priority(plan, empty, actor):
    messages = _refused(empty, actor, _edit(export_xlsx(plan), _set("Fiches", 2, "priorité", "urgente")))
    assert messages == [
        "Feuille « Fiches », ligne 2, colonne « priorité » : priorité inconnue « urgente » "
        "(valeurs possibles : Haute, Moyenne, Basse)."
    ]


def test_unknown_funder(plan, empty, actor):
    messages = _refused(empty, actor, _edit(export_xlsx(plan), _set("Budget", 4, "financeur", "Région")))
    assert len(messages) == 1
    assert messages[0] == (
        "Feuille « Budget », ligne 4, colonne « financeur » : financeur inconnu « Région » "
        "(valeurs possibles : CAF, Département, EPCI, Communes, MSA, État, Autre)."
    )


def test_fiche_under_unknown_objective(plan, empty, actor):
    messages = _refused(
        empty, actor, _edit(export_xlsx(plan), _set("Fiches", 4, "objectifs", "2.1.1 ; 9.9.9"))
    )
    assert messages == ["Feuille « Fiches », ligne 4, colonne « objectifs » : objectif inconnu « 9.9.9 »."]


def test_fiche_under_a_strategic_objective(plan, empty, actor):
    messages = _refused(empty, actor, _edit(export_xlsx(plan), _set("Fiches", 3, "objectifs", "1.1")))
    assert messages[0].startswith(
        "Feuille « Fiches », ligne 3, colonne « objectifs » : « 1.1 » est un objectif"
    )


def test_text_in_amount(plan, empty, actor):
    messages = _refused(empty, actor, _edit(export_xlsx(plan), _set("Budget", 2, "prévu", "beaucoup")))
    assert messages == ["Feuille « Budget », ligne 2, colonne « prévu » : nombre invalide « beaucoup »."]


def test_negative_amount(plan, empty, actor):
    messages = _refused(empty, actor, _edit(export_xlsx(plan), _set("Budget", 3, "réalisé", -250)))
    assert messages == [
        "Feuille « Budget », ligne 3, colonne « réalisé » : montant négatif « -250 » : "
        "un montant est positif ou nul."
    ]


def test_invalid_date(plan, empty, actor):
    messages = _refused(empty, actor, _edit(export_xlsx(plan), _set("Fiches", 2, "début", "32/13/2025")))
    assert messages == [
        "Feuille « Fiches », ligne 2, colonne « début » : date invalide « 32/13/2025 » "
        "(attendue sous la forme JJ/MM/AAAA)."
    ]


def test_end_before_start(plan, empty, actor):
    data = _edit(export_xlsx(plan), _set("Fiches", 2, "fin", datetime.datetime(2024, 12, 31)))
    assert _refused(empty, actor, data) == [
        "Feuille « Fiches », ligne 2, colonne « fin » : la fin (31/12/2024) précède le début (01/03/2025)."
    ]


def test_unknown_commune(plan, empty, actor):
    messages = _refused(empty, actor, _edit(export_xlsx(plan), _set("Fiches", 4, "communes", "99999")))
    assert messages == [
        "Feuille « Fiches », ligne 4, colonne « communes » : commune inconnue « 99999 » "
        "(code Insee attendu, ou « toutes »)."
    ]


def test_commune_outside_the_territory(plan, empty, actor, world):
    outside = world.other_ctg.communes.get().code
    messages = _refused(empty, actor, _edit(export_xlsx(plan), _set("Fiches", 4, "communes", outside)))
    assert messages == [
        f"Feuille « Fiches », ligne 4, colonne « communes » : la commune « {outside} » est hors du "
        "territoire du dossier."
    ]


def test_duplicate_fiche_number(plan, empty, actor):
    messages = _refused(empty, actor, _edit(export_xlsx(plan), _set("Fiches", 3, "numéro", "1.1.1")))
    assert messages == [
        "Feuille « Fiches », ligne 3, colonne « numéro » : numéro de fiche « 1.1.1 » en double "
        "(déjà à la ligne 2)."
    ]


def test_duplicate_enjeu_number(plan, empty, actor):
    messages = _refused(empty, actor, _edit(export_xlsx(plan), _set("Enjeux", 3, "numéro", "1")))
    assert messages[0] == (
        "Feuille « Enjeux », ligne 3, colonne « numéro » : numéro d'enjeu « 1 » en double "
        "(déjà à la ligne 2)."
    )


def test_invalid_number(plan, empty, actor):
    messages = _refused(empty, actor, _edit(export_xlsx(plan), _set("Objectifs", 2, "numéro", "1-1")))
    assert messages[0] == (
        "Feuille « Objectifs », ligne 2, colonne « numéro » : numéro invalide « 1-1 » "
        "(attendu sous la forme « 1.2 »)."
    )


def test_empty_title(plan, empty, actor):
    messages = _refused(empty, actor, _edit(export_xlsx(plan), _set("Fiches", 2, "intitulé", "   ")))
    assert messages == ["Feuille « Fiches », ligne 2, colonne « intitulé » : valeur obligatoire."]


def test_all_problems_are_listed_at_once(plan, empty, actor):
    def change(workbook):
        for edit in (
            _set("Fiches", 3, "statut", "fini"),
            _set("Budget", 2, "prévu", -1),
            _set("Indicateurs", 2, "intitulé", " "),
            _set("Valeurs", 2, "type", "prévu"),
        ):
            edit(workbook)

    messages = _refused(empty, actor, _edit(export_xlsx(plan), change))
    assert [m.split(" : ")[0] for m in messages] == [
        "Feuille « Fiches », ligne 3, colonne « statut »",
        "Feuille « Budget », ligne 2, colonne « prévu »",
        "Feuille « Indicateurs », ligne 2, colonne « intitulé »",
        "Feuille « Valeurs », ligne 2, colonne « type »",
    ]


def test_not_a_workbook(empty, actor):
    messages = _refused(empty, actor, b"pas un classeur")
    assert messages[0].startswith("Le fichier n'est pas un classeur Excel (.xlsx) lisible")


def test_json_errors_name_the_path(plan, empty, actor):
    payload = export_plan(plan)
    payload["fiches"][1]["status"] = "fini"
    payload["fiches"][2]["budget"][1]["planned"] = "-5"
    before = _counts()
    with pytest.raises(PlanImportError) as caught:
        import_plan(empty, payload, actor)
    assert caught.value.messages == [
        f"fiches[1].status : statut inconnu « fini » (valeurs possibles : {STATUS_LABELS}).",
        "fiches[2].budget[1].planned : montant négatif « -5 » : un montant est positif ou nul.",
    ]
    assert _counts() == before


def test_json_with_a_wrong_structure_is_refused(empty, actor):
    with pytest.raises(PlanImportError, match="n'a pas la structure"):
        import_plan(empty, {"format": "ctg-plan", "enjeux": [{"objectives": "1.1"}]}, actor)


def test_json_of_another_kind_is_refused(empty, actor):
    with pytest.raises(PlanImportError, match="n'est pas un export de plan d'action"):
        import_plan(empty, {"enjeux": []}, actor)


# --- commands ------------------------------------------------------------------------------------------


def test_plan_export_json_to_stdout(plan):
    out = StringIO()
    call_command("plan_export", str(plan.pk), stdout=out)
    assert json.loads(out.getvalue()) == export_plan(plan)


def test_plan_export_xlsx_needs_out(plan):
    with pytest.raises(CommandError, match="--out"):
        call_command("plan_export", str(plan.pk), "--format", "xlsx", stdout=StringIO())


def test_plan_export_unknown_dossier(db):
    with pytest.raises(CommandError, match="Aucun dossier CTG n° 999"):
        call_command("plan_export", "999", stdout=StringIO())


def test_plan_export_then_import_xlsx(plan, empty, actor, tmp_path):
    target = tmp_path / "plan.xlsx"
    call_command("plan_export", str(plan.pk), "--format", "xlsx", "--out", str(target), stderr=StringIO())
    out = StringIO()
    call_command("plan_import", str(empty.pk), str(target), "--user", actor.email, stdout=out)
    assert "2 enjeux, 3 fiches" in out.getvalue()
    assert export_plan(empty) == export_plan(plan)
    assert empty.history.get(action=Action.PLAN_IMPORT).actor == actor


def test_plan_import_json(plan, empty, tmp_path):
    target = tmp_path / "plan.json"
    call_command("plan_export", str(plan.pk), "--out", str(target), stderr=StringIO())
    call_command("plan_import", str(empty.pk), str(target), stdout=StringIO())
    assert export_plan(empty) == export_plan(plan)


def test_plan_import_refusal_lists_problems(plan, empty, tmp_path):
    target = tmp_path / "plan.xlsx"
    target.write_bytes(_edit(export_xlsx(plan), _set("Fiches", 3, "statut", "fini")))
    with pytest.raises(CommandError) as caught:
        call_command("plan_import", str(empty.pk), str(target), stdout=StringIO())
    assert "Import refusé, rien n'a été enregistré" in str(caught.value)
    assert "Feuille « Fiches », ligne 3, colonne « statut »" in str(caught.value)
    assert not empty.enjeux.exists()


def test_plan_import_bad_arguments(empty, tmp_path):
    other = tmp_path / "plan.csv"
    other.write_text("x")
    with pytest.raises(CommandError, match="Extension non reconnue"):
        call_command("plan_import", str(empty.pk), str(other), stdout=StringIO())
    with pytest.raises(CommandError, match="Aucune personne"):
        call_command("plan_import", str(empty.pk), str(other), "--user", "inconnu@x.fr", stdout=StringIO())
    broken = tmp_path / "plan.json"
    broken.write_text("{")
    with pytest.raises(CommandError, match="n'est pas un fichier JSON valide"):
        call_command("plan_import", str(empty.pk), str(broken), stdout=StringIO())


def test_fiche_number_outside_its_objectives(plan, empty, actor):
    messages = _refused(empty, actor, _edit(export_xlsx(plan), _set("Fiches", 4, "numéro", "1.1.9")))
    assert messages[0] == (
        "Feuille « Fiches », ligne 4, colonne « numéro » : le numéro « 1.1.9 » doit commencer par "
        "l'objectif stratégique d'un de ses objectifs (2.1)."
    )


def test_operational_objective_under_unknown_parent(plan, empty, actor):
    messages = _refused(empty, actor, _edit(export_xlsx(plan), _set("Objectifs", 6, "parent", "2.7")))
    assert (
        messages[0]
        == "Feuille « Objectifs », ligne 6, colonne « parent » : objectif stratégique inconnu « 2.7 »."
    )


def test_unknown_portrait_indicator_and_territory(plan, empty, actor):
    def change(workbook):
        _set("Enjeux", 2, "indicateurs du portrait", "population ; bonheur_national")(workbook)
        _set("Indicateurs", 3, "territoire", "999999999")(workbook)

    messages = _refused(empty, actor, _edit(export_xlsx(plan), change))
    assert messages == [
        "Feuille « Enjeux », ligne 2, colonne « indicateurs du portrait » : indicateur du portrait inconnu "
        "« bonheur_national ».",
        "Feuille « Indicateurs », ligne 3, colonne « territoire » : EPCI inconnu : 999999999.",
    ]


def test_json_duplicate_names_the_first_element(plan, empty, actor):
    payload = export_plan(plan)
    payload["fiches"][1]["number"] = payload["fiches"][0]["number"]
    with pytest.raises(PlanImportError) as caught:
        import_plan(empty, payload, actor)
    assert caught.value.messages == [
        "fiches[1].number : numéro de fiche « 1.1.1 » en double (déjà en fiches[0])."
    ]


def test_json_unknown_field(plan, empty, actor):
    payload = export_plan(plan)
    payload["enjeux"][1]["fields"] = ["jeunesse", "astronomie"]
    with pytest.raises(PlanImportError) as caught:
        import_plan(empty, payload, actor)
    assert caught.value.messages[0].startswith(
        "enjeux[1].fields : champ d'intervention inconnu « astronomie » (valeurs possibles : Petite enfance"
    )


def test_unknown_field_label_in_workbook(plan, empty, actor):
    data = _edit(export_xlsx(plan), _set("Fiches", 2, "champs", "Jeunesse ; Astronomie"))
    messages = _refused(empty, actor, data)
    assert messages[0].startswith(
        "Feuille « Fiches », ligne 2, colonne « champs » : champ d'intervention inconnu « Astronomie »"
    )


def test_workbook_filled_by_hand(world, empty, actor):
    """Columns in another order, optional columns left out, labels without accents, French decimals and
    dates typed as text, a number typed as a number: all accepted."""
    from openpyxl import Workbook

    code = empty.communes.order_by("code").first().code
    sheets = {
        "Enjeux": [
            ["intitulé", "numéro", "description", "champs", "constats"],
            ["Parentalité", 1, "", "parentalite", ""],
        ],
        "Objectifs": [
            ["numéro", "enjeu", "niveau", "parent", "intitulé"],
            # The operational objective before its strategic one.
            ["1.1.1", "1", "operationnel", "1.1", "Ateliers parents-enfants"],
            ["1.1", "1", "Stratégique", "", "Soutenir les parents"],
        ],
        "Fiches": [
            [
                "numéro",
                "objectifs",
                "intitulé",
                "champs",
                "contexte",
                "description",
                "public",
                "communes",
                "pilote",
                "personne pilote",
                "partenaires",
                "début",
                "fin",
                "statut",
                "priorité",
                "notes",
            ],
        ],
        "Étapes": [["fiche", "année", "étape"]],
        "Budget": [["fiche", "année", "financeur", "prévu", "réalisé"]],
        "Indicateurs": [
            [
                "fiche",
                "numéro d'indicateur",
                "intitulé",
                "unité",
                "sens",
                "nature",
                "référence",
                "année de référence",
                "indicateur du portrait",
                "territoire",
            ]
        ],
        "Valeurs": [["fiche", "indicateur", "année", "type", "valeur", "origine"]],
    }
    sheets["Fiches"].append(
        [
            "1.1.1",
            "1.1.1",
            "Café des parents",
            "Parentalité",
            "",
            "",
            "",
            code,
            "Centre social du Test",
            "",
            "",
            "01/09/2025",
            "2026-06-30",
            "en cours",
            "basse",
            "",
        ]
    )
    sheets["Étapes"].append(["1.1.1", 2025.0, "Lancement"])
    sheets["Budget"].append(["1.1.1", "2025", "departement", "1 500,50", None])
    sheets["Indicateurs"].append(["1.1.1", 1, "Familles accueillies", "", "Hausse", "", None, None, "", ""])
    sheets["Valeurs"].append(["1.1.1", "1", 2026, "Cible", "40", ""])
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)

    assert import_xlsx(empty, output.getvalue(), actor) == {"enjeux": 1, "fiches": 1}
    data = export_plan(empty)
    fiche = data["fiches"][0]
    assert data["enjeux"][0]["objectives"][0]["operational"][0]["title"] == "Ateliers parents-enfants"
    assert (fiche["status"], fiche["priority"], fiche["communes"]) == ("en_cours", "basse", [code])
    assert (fiche["start_date"], fiche["end_date"]) == ("2025-09-01", "2026-06-30")
    assert fiche["budget"] == [{"year": 2025, "funder": "departement", "planned": "1500.50", "spent": "0.00"}]
    assert fiche["steps"] == [{"year": 2025, "description": "Lancement"}]
    assert fiche["indicators"][0]["values"][0]["value"] == "40.0000"
    assert Organisation.objects.get(name="Centre social du Test").kind == Organisation.Kind.AUTRE


# --- the same rules as the fiche form (ctg.plans.rules) ----------------------------------------------------


def _form_data(fiche) -> tuple[dict, dict]:
    """What the fiche's edit page posts back when the person changes nothing, and the form's initial."""
    initial = {name: getattr(fiche, name) for name in FICHE_FIELDS if name not in FICHE_M2M}
    for name in FICHE_M2M:
        initial[name] = list(getattr(fiche, name).all())
    initial["version"] = fiche.version
    form = FicheForm(initial=initial, ctg=fiche.ctg)
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, datetime.date):
            value = value.isoformat()
        if value not in (None, False):
            data[name] = value
    return data, initial


def _hand_edits():
    """Workbooks a territory may send back, every one of them accepted."""
    return [
        lambda workbook: None,
        _set("Fiches", 3, "communes", "toutes"),
        _set("Fiches", 2, "début", "01/01/2025"),
        _set("Fiches", 4, "fin", datetime.datetime(2028, 12, 31)),
        _set("Étapes", 2, "année", 2028),
        _set("Valeurs", 4, "année", 2019),  # a value of the open data keeps the year of its vintage
    ]


def test_parity_every_fiche_the_import_accepts_passes_the_fiche_rules(plan, world, actor):
    """Whatever the import accepts, the fiche rules accept, and the fiche form saves it unchanged."""
    for index, edit in enumerate(_hand_edits()):
        target = CtgFactory(
            caf=plan.caf,
            epci=plan.epci,
            communes=list(plan.communes.all()),
            start_year=plan.start_year,
            end_year=plan.end_year,
            title=f"Import {index}",
        )
        import_xlsx(target, _edit(export_xlsx(plan), edit), actor)
        period = rules.Period.of(target)
        for fiche in target.fiches.prefetch_related("objectives", "communes", "partners", "steps", "budget"):
            values = {name: getattr(fiche, name) for name in FICHE_FIELDS if name not in FICHE_M2M}
            values.update({name: list(getattr(fiche, name).all()) for name in FICHE_M2M})
            assert rules.fiche_problems(values, period) == [], fiche.title
            for step in fiche.steps.all():
                assert rules.step_problems(step.year, step.description, period) == []
            for line in fiche.budget.all():
                assert rules.year_problem(line.year, period) is None
            typed = IndicatorValue.objects.filter(indicator__fiche=fiche, origin=IndicatorValue.Origin.TYPED)
            assert all(rules.year_problem(v.year, period) is None for v in typed)
            data, initial = _form_data(fiche)
            form = FicheForm(data, initial=initial, ctg=target)
            assert form.is_valid(), (fiche.title, form.errors)
            version = fiche.version
            assert (
                services.fiche_update(
                    fiche=fiche, actor=actor, expected_version=version, **form.values()
                ).version
                == version
            )  # nothing to save


@pytest.mark.parametrize(
    "edit, message",
    [
        (
            _set("Fiches", 2, "début", "31/12/2024"),
            "Feuille « Fiches », ligne 2, colonne « début » : la date de début doit être comprise dans la "
            "période de la CTG (du 01/01/2025 au 31/12/2028).",
        ),
        (
            _set("Fiches", 3, "fin", datetime.datetime(2029, 1, 1)),
            "Feuille « Fiches », ligne 3, colonne « fin » : la date de fin doit être comprise dans la "
            "période de la CTG (du 01/01/2025 au 31/12/2028).",
        ),
        (
            _set("Fiches", 4, "communes", "aucune"),
            "Feuille « Fiches », ligne 4, colonne « communes » : choisissez au moins une commune, ou "
            "« toutes les communes du territoire ».",
        ),
        (
            _set("Fiches", 3, "objectifs", " "),
            "Feuille « Fiches », ligne 3, colonne « objectifs » : rattachez la fiche à au moins un objectif "
            "opérationnel.",
        ),
        (
            _set("Étapes", 3, "année", 2030),
            "Feuille « Étapes », ligne 3, colonne « année » : l'année 2030 est hors de la période de la CTG "
            "(2025-2028).",
        ),
        (
            _set("Budget", 2, "année", 2024),
            "Feuille « Budget », ligne 2, colonne « année » : l'année 2024 est hors de la période de la CTG "
            "(2025-2028).",
        ),
        (
            _set("Valeurs", 2, "année", 2031),
            "Feuille « Valeurs », ligne 2, colonne « année » : l'année 2031 est hors de la période de la CTG "
            "(2025-2028).",
        ),
    ],
)
def test_parity_the_import_refuses_what_the_fiche_rules_refuse(plan, empty, actor, edit, message):
    assert _refused(empty, actor, _edit(export_xlsx(plan), edit)) == [message]


def test_parity_json_refusals_name_the_path(plan, empty, actor):
    payload = export_plan(plan)
    payload["fiches"][0]["start_date"] = "2024-06-01"
    payload["fiches"][1]["objectives"] = []
    payload["fiches"][2]["communes"] = []
    with pytest.raises(PlanImportError) as caught:
        import_plan(empty, payload, actor)
    assert caught.value.messages == [
        "fiches[0].start_date : la date de début doit être comprise dans la période de la CTG (du 01/01/2025 "
        "au 31/12/2028).",
        "fiches[1].objectives : rattachez la fiche à au moins un objectif opérationnel.",
        "fiches[2].communes : choisissez au moins une commune, ou « toutes les communes du territoire ».",
    ]
