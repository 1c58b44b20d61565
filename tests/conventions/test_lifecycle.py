"""The lifecycle of a real CTG: the phase of work (préparation … terminée) apart from the signature
(accord-cadre or convention complète, then avenants), each change recorded with who and when; milestones
whose day is unknown (« octobre 2023 »)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ctg.conventions import services
from ctg.conventions.models import Agreement, Avenant, Ctg, DatePrecision, Milestone, Phase, Signatory
from ctg.core.models import HistoryEntry
from tests.conftest import PASSWORD
from tests.factories import SignatoryFactory

D = datetime.date


@pytest.fixture
def limoges(world):
    """The world's dossier as Limoges Métropole's: 2023-2026, the CAF and the EPCI as signatories."""
    Ctg.objects.filter(pk=world.ctg.pk).update(start_year=2023, end_year=2026)
    world.ctg.refresh_from_db()
    caf = SignatoryFactory(ctg=world.ctg, organisation=world.ctg.caf, position=0)
    epci = SignatoryFactory(ctg=world.ctg, position=1)
    return world, caf, epci


def test_limoges_accord_cadre_signed_before_its_diagnostic_then_the_plan_by_avenant(limoges):
    world, caf, epci = limoges
    ctg, pilot, coordination = world.ctg, world.users["pilote_caf"], world.users["coordination"]

    services.ctg_update(ctg=ctg, actor=pilot, agreement=Agreement.ACCORD_CADRE)
    for signatory in (epci, caf):
        services.signature_record(signatory=signatory, actor=pilot, signed_on=D(2022, 11, 21))
    ctg.refresh_from_db()
    assert ctg.phase == Phase.PREPARATION and ctg.is_signed
    assert ctg.signature_label == "Accord-cadre signé le 21 novembre 2022"
    with pytest.raises(ValidationError, match="avant la première signature"):
        services.ctg_update(ctg=ctg, actor=pilot, agreement=Agreement.CONVENTION)

    diagnostic = services.milestone_create(
        ctg=ctg,
        actor=coordination,
        kind=Milestone.Kind.DIAGNOSTIC,
        title="Lancement du diagnostic",
        date=D(2023, 10, 17),
        date_precision=DatePrecision.MONTH,
        done=True,
    )
    assert (diagnostic.date, diagnostic.date_label) == (D(2023, 10, 1), "octobre 2023")
    services.ctg_transition(ctg=ctg, actor=coordination, to=Phase.DIAGNOSTIC)
    services.milestone_create(
        ctg=ctg,
        actor=coordination,
        kind=Milestone.Kind.RESTITUTION,
        title="Restitution du portrait",
        date=D(2024, 3, 11),
        done=True,
    )
    services.milestone_create(
        ctg=ctg,
        actor=coordination,
        kind=Milestone.Kind.ATELIER,
        title="Ateliers",
        date=D(2024, 5, 23),
        done=True,
    )
    services.ctg_transition(ctg=ctg, actor=coordination, to=Phase.PLAN_ACTION)
    with pytest.raises(ValidationError, match="avenant signé"):
        services.ctg_transition(ctg=ctg, actor=coordination, to=Phase.MISE_EN_OEUVRE)

    avenant = services.avenant_add(
        ctg=ctg,
        actor=pilot,
        title="Ajout du plan d'action",
        signed_on=D(2024, 10, 4),
        notes="Plan 2024-2026.",
    )
    assert (avenant.number, avenant.created_by) == (1, pilot)
    ctg.refresh_from_db()
    assert ctg.signature_label == "Accord-cadre signé le 21 novembre 2022 · 1 avenant"
    services.ctg_transition(ctg=ctg, actor=coordination, to=Phase.MISE_EN_OEUVRE)
    ctg.refresh_from_db()
    assert ctg.phase == Phase.MISE_EN_OEUVRE

    history = list(ctg.history.order_by("at", "pk").values_list("summary", "actor", "at"))
    summaries = [(summary, actor) for summary, actor, _ in history]
    assert summaries == [
        ("Modification : convention initiale", pilot.pk),
        (f"Signature {_of(epci)} ({epci.signer_name}) le 21/11/2022", pilot.pk),
        (f"Signature {_of(caf)} ({caf.signer_name}) le 21/11/2022", pilot.pk),
        ("Jalon ajouté : 10/2023 — Lancement du diagnostic", coordination.pk),
        ("Phase : Préparation → Diagnostic", coordination.pk),
        ("Jalon ajouté : 11/03/2024 — Restitution du portrait", coordination.pk),
        ("Jalon ajouté : 23/05/2024 — Ateliers", coordination.pk),
        ("Phase : Diagnostic → Plan d'action", coordination.pk),
        ("Avenant n° 1 ajouté : Ajout du plan d'action (signé le 04/10/2024)", pilot.pk),
        ("Phase : Plan d'action → Mise en œuvre", coordination.pk),
    ]
    assert all(created_at is not None for _, _, created_at in history)
    first = ctg.history.get(summary="Modification : convention initiale")
    assert first.labelled_changes == {"convention initiale": ["Convention complète", "Accord-cadre"]}
    phase = ctg.history.get(summary="Phase : Diagnostic → Plan d'action")
    assert phase.labelled_changes == {"phase": ["Diagnostic", "Plan d'action"]}


def _of(signatory):
    from ctg.territories import french

    return french.organisation_of(signatory.organisation.name)


def test_a_phase_goes_back_one_step_and_a_terminee_ctg_reopens(world):
    ctg, actor = world.ctg, world.users["coordination"]
    Ctg.objects.filter(pk=ctg.pk).update(phase=Phase.CLOSE)
    assert services.PHASE_MOVES[Phase.CLOSE] == (Phase.EVALUATION,)
    assert services.PHASE_MOVES[Phase.PREPARATION] == (Phase.DIAGNOSTIC,)
    services.ctg_transition(ctg=ctg, actor=actor, to=Phase.EVALUATION)
    services.ctg_transition(ctg=ctg, actor=actor, to=Phase.MISE_EN_OEUVRE)  # back: no signature needed
    with pytest.raises(ValidationError, match="impossible"):
        services.ctg_transition(ctg=ctg, actor=actor, to=Phase.DIAGNOSTIC)
    assert Ctg.objects.get(pk=ctg.pk).phase == Phase.MISE_EN_OEUVRE


def test_the_diagnostic_needs_communes(world):
    ctg = world.ctg
    ctg.communes.clear()
    with pytest.raises(ValidationError, match="aucune commune"):
        services.ctg_transition(ctg=ctg, actor=world.users["coordination"], to=Phase.DIAGNOSTIC)
    assert Ctg.objects.get(pk=ctg.pk).phase == Phase.PREPARATION


SIGNED_ON = D(2022, 11, 21)


def _sign(world, caf, epci, day=SIGNED_ON):
    for signatory in (caf, epci):
        services.signature_record(signatory=signatory, actor=world.users["pilote_caf"], signed_on=day)


def test_signatories_change_only_before_the_signature_in_any_phase(limoges):
    world, caf, epci = limoges
    pilot = world.users["pilote_caf"]
    _sign(world, caf, epci)
    with pytest.raises(ValidationError, match="avenant"):
        services.signatory_remove(signatory=epci, actor=pilot)
    with pytest.raises(ValidationError, match="ne s'annule plus"):
        services.signature_clear(signatory=caf, actor=pilot)
    assert Signatory.objects.filter(ctg=world.ctg, signed_on=D(2022, 11, 21)).count() == 2
    assert not services.can_delete(world.ctg)  # in préparation, but signed


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"title": "  "}, "title", "obligatoire"),
        ({"signed_on": "future"}, "signed_on", "futur"),
        ({"signed_on": D(2022, 11, 20)}, "signed_on", "après la convention"),
    ],
)
def test_bad_avenants_are_refused_and_nothing_changes(limoges, values, field, message):
    world, caf, epci = limoges
    _sign(world, caf, epci)
    arguments = {"title": "Ajout du plan d'action", "signed_on": D(2024, 10, 4), **values}
    if arguments["signed_on"] == "future":
        arguments["signed_on"] = datetime.date.today() + datetime.timedelta(days=2)
    count = HistoryEntry.objects.count()
    with pytest.raises(ValidationError) as error:
        services.avenant_add(ctg=world.ctg, actor=world.users["pilote_caf"], **arguments)
    assert message in " ".join(error.value.message_dict[field])
    assert not Avenant.objects.exists() and HistoryEntry.objects.count() == count


def test_an_avenant_needs_a_signed_convention(limoges):
    world, caf, _ = limoges
    services.signature_record(signatory=caf, actor=world.users["pilote_caf"], signed_on=D(2022, 11, 21))
    with pytest.raises(ValidationError, match="convention signée"):
        services.avenant_add(ctg=world.ctg, actor=world.users["pilote_caf"], title="Ajout du plan d'action")
    assert not Avenant.objects.exists()


def test_avenants_are_numbered_updated_with_history_and_only_the_last_is_deleted(limoges):
    world, caf, epci = limoges
    pilot = world.users["pilote_caf"]
    _sign(world, caf, epci)
    first = services.avenant_add(ctg=world.ctg, actor=pilot, title="Ajout du plan d'action")
    second = services.avenant_add(ctg=world.ctg, actor=pilot, title="Prolongation d'un an")
    assert (first.number, second.number, first.signed_on) == (1, 2, None)
    services.avenant_update(avenant=first, actor=world.users["coordination"], signed_on=D(2024, 10, 4))
    entry = world.ctg.history.first()
    assert entry.actor == world.users["coordination"] and entry.item_id == first.pk
    assert entry.labelled_changes == {"date de signature": ["", "04/10/2024"]}
    with pytest.raises(ValidationError, match="dernier avenant"):
        services.avenant_delete(avenant=first, actor=pilot)
    services.avenant_delete(avenant=second, actor=pilot)
    assert list(world.ctg.avenants.values_list("number", flat=True)) == [1]
    assert world.ctg.history.first().summary == "Avenant n° 2 : Prolongation d'un an supprimé"


# --- month-only dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"date_precision": "year"}, "Précision de date inconnue"),
        ({"date_precision": DatePrecision.MONTH, "date": "next month", "done": True}, "mois à venir"),
        ({"date": "tomorrow", "done": True}, "jour à venir"),
    ],
)
def test_bad_milestone_dates_are_refused_and_nothing_changes(world, arguments, message):
    today = datetime.date.today()
    arguments = {"kind": Milestone.Kind.AUTRE, "title": "Jalon", "date": today, **arguments}
    if arguments["date"] == "next month":
        arguments["date"] = (today.replace(day=28) + datetime.timedelta(days=5)).replace(day=1)
    elif arguments["date"] == "tomorrow":
        arguments["date"] = today + datetime.timedelta(days=1)
    count = HistoryEntry.objects.count()
    with pytest.raises(ValidationError, match=message):
        services.milestone_create(ctg=world.ctg, actor=world.users["coordination"], **arguments)
    assert not Milestone.objects.exists() and HistoryEntry.objects.count() == count


def test_a_month_milestone_this_month_may_be_done_and_is_late_only_after_its_month(world):
    today = datetime.date.today()
    milestone = services.milestone_create(
        ctg=world.ctg,
        actor=world.users["coordination"],
        kind=Milestone.Kind.AUTRE,
        title="Ce mois-ci",
        date=today,
        date_precision=DatePrecision.MONTH,
        done=True,
    )
    assert milestone.date == today.replace(day=1) and milestone.period_end >= today


def _client(client, world, role="coordination"):
    client.login(username=world.users[role].email, password=PASSWORD)
    return client


def test_the_milestone_form_takes_a_month_and_every_page_shows_it(client, world):
    _client(client, world)
    url = reverse("conventions:milestones", args=[world.ctg.pk])
    for month in ("2023-10", "10/2023", "Octobre 2023"):
        Milestone.objects.all().delete()
        response = client.post(
            url, {"kind": "diagnostic", "title": "Lancement du diagnostic", "month": month, "done": "on"}
        )
        assert response.status_code == 302, month
        milestone = Milestone.objects.get()
        assert (milestone.date, milestone.date_precision) == (D(2023, 10, 1), DatePrecision.MONTH)
    page = client.get(url).content.decode()
    assert "octobre 2023" in page and "1 octobre 2023" not in page
    home = client.get(reverse("conventions:detail", args=[world.ctg.pk])).content.decode()
    assert "octobre 2023" in home and "1 octobre 2023" not in home
    edit = reverse("conventions:milestone_edit", args=[world.ctg.pk, milestone.pk])
    form = client.get(edit).content.decode()
    assert 'value="10/2023"' in form
    response = client.post(
        edit, {"kind": "diagnostic", "title": "Lancement du diagnostic", "date": "2023-10-17"}
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert (milestone.date, milestone.date_precision) == (D(2023, 10, 17), DatePrecision.DAY)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"month": "13/2023"}, "Mois non reconnu"),
        ({"month": "2023-10-05"}, "Mois non reconnu"),
        ({"month": "octobre"}, "Mois non reconnu"),
        ({"month": "2023-10", "date": "2023-10-05"}, "pas les deux"),
        ({}, "si le jour n&#x27;est pas connu, le mois"),
    ],
)
def test_ambiguous_or_malformed_months_are_refused_and_nothing_changes(client, world, data, message):
    _client(client, world)
    count = HistoryEntry.objects.count()
    response = client.post(
        reverse("conventions:milestones", args=[world.ctg.pk]), {"kind": "autre", "title": "Jalon", **data}
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert not Milestone.objects.exists() and HistoryEntry.objects.count() == count


# --- pages ----------------------------------------------------------------------------------------------


def test_the_step_bar_shows_the_phase_and_the_signature(client, limoges):
    world, caf, epci = limoges
    services.ctg_update(ctg=world.ctg, actor=world.users["pilote_caf"], agreement=Agreement.ACCORD_CADRE)
    _sign(world, caf, epci)
    services.ctg_transition(ctg=world.ctg, actor=world.users["coordination"], to=Phase.DIAGNOSTIC)
    services.avenant_add(
        ctg=world.ctg,
        actor=world.users["pilote_caf"],
        title="Ajout du plan d'action",
        signed_on=D(2024, 10, 4),
    )
    page = _client(client, world, "lecture").get(reverse("conventions:detail", args=[world.ctg.pk]))
    text = page.content.decode()
    assert "Étape 2 sur 5 :</span> Diagnostic" in text
    assert "Accord-cadre signé le 21 novembre 2022 · 1 avenant" in text
    assert "Étape suivante :</span> Plan d&#x27;action" in text
    # Readers see the possible phases but no button to move.
    assert "Passer à « Plan d" not in text


def test_the_phase_buttons_go_forward_and_back(client, world):
    _client(client, world)
    Ctg.objects.filter(pk=world.ctg.pk).update(phase=Phase.DIAGNOSTIC)
    text = client.get(reverse("conventions:detail", args=[world.ctg.pk])).content.decode()
    assert "Passer à « Plan d&#x27;action »" in text and "Revenir à « Préparation »" in text
    response = client.post(reverse("conventions:status", args=[world.ctg.pk]), {"to": "preparation"})
    assert response.status_code == 302
    assert Ctg.objects.get(pk=world.ctg.pk).phase == Phase.PREPARATION


def test_avenants_are_recorded_from_the_parties_page(client, limoges):
    world, caf, epci = limoges
    _client(client, world, "pilote_caf")
    url = reverse("conventions:parties", args=[world.ctg.pk])
    assert "Enregistrer l&#x27;avenant" not in client.get(url).content.decode()  # not signed yet
    response = client.post(reverse("conventions:avenant_add", args=[world.ctg.pk]), {"title": "Plan"})
    assert response.status_code == 400 and not Avenant.objects.exists()
    _sign(world, caf, epci)
    response = client.post(
        reverse("conventions:avenant_add", args=[world.ctg.pk]),
        {"title": "Ajout du plan d'action", "signed_on": "2024-10-04"},
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Ajout du plan d&#x27;action" in page and "Signé le 4 octobre 2024" in page
    avenant = Avenant.objects.get()
    edit = reverse("conventions:avenant_edit", args=[world.ctg.pk, avenant.pk])
    response = client.post(edit, {"title": "Ajout du plan d'action", "signed_on": "pas une date"})
    assert response.status_code == 400
    avenant.refresh_from_db()
    assert avenant.signed_on == D(2024, 10, 4)
    response = client.post(reverse("conventions:avenant_delete", args=[world.ctg.pk, avenant.pk]))
    assert response.status_code == 302 and not Avenant.objects.exists()


def test_the_list_filters_by_phase(client, world):
    _client(client, world)
    Ctg.objects.filter(pk=world.ctg.pk).update(phase=Phase.DIAGNOSTIC)
    url = reverse("conventions:list")
    assert world.ctg.title in client.get(url, {"phase": "diagnostic"}).content.decode()
    assert world.ctg.title not in client.get(url, {"phase": "plan_action"}).content.decode()
