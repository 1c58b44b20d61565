"""Services of the coordinator post: every rule, every bad input (French message, nothing saved), the report
transitions, and who/when in the history."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ctg.core.models import HistoryEntry
from ctg.post import services
from ctg.post.models import ActivityReport, CoordinatorPost, PostFunding
from tests.factories import OrganisationFactory, UserFactory
from tests.post.factories import FundingFactory, PostFactory, ReportFactory

D = datetime.date


def _post_values(world, **overrides):
    values = {
        "person_name": "Claire Martin",
        "employer": world.ctg.caf,
        "fte": Decimal("0.8"),
        "start_date": D(2025, 1, 6),
        "user": world.users["coordination"],
        "end_date": None,
        "missions": "Animer la CTG.",
    }
    return {**values, **overrides}


def _errors(excinfo) -> dict:
    return {field: " ".join(messages) for field, messages in excinfo.value.message_dict.items()}


def _history(ctg):
    return list(HistoryEntry.objects.filter(ctg=ctg).order_by("id"))


# --- post ------------------------------------------------------------------------------------------------


def test_post_set_creates_and_records(world):
    actor = world.users["coordination"]
    post = services.post_set(ctg=world.ctg, actor=actor, **_post_values(world))
    assert post.fte == Decimal("0.80") and post.user == actor and post.created_by == actor
    [entry] = _history(world.ctg)
    assert entry.actor == actor and entry.item_type == "coordinatorpost" and entry.item_id == post.pk
    assert entry.labelled_changes["personne"] == ["", "Claire Martin"]
    assert entry.labelled_changes["ETP"] == ["", "0,80"]


def test_post_set_updates_with_before_and_after(world):
    post = services.post_set(ctg=world.ctg, actor=world.users["coordination"], **_post_values(world))
    pilot = world.users["pilote_caf"]
    services.post_set(
        ctg=world.ctg,
        actor=pilot,
        **_post_values(world, fte=Decimal("1"), end_date=D(2028, 12, 31)),
    )
    post.refresh_from_db()
    assert post.fte == 1 and post.end_date == D(2028, 12, 31) and post.updated_by == pilot
    entry = _history(world.ctg)[-1]
    assert entry.actor == pilot and entry.summary.startswith("Poste de coordination modifié")
    assert entry.labelled_changes == {"ETP": ["0,80", "1,00"], "date de fin": ["", "31/12/2028"]}
    assert CoordinatorPost.objects.count() == 1


def test_post_set_without_change_records_nothing(world):
    services.post_set(ctg=world.ctg, actor=world.users["coordination"], **_post_values(world))
    services.post_set(ctg=world.ctg, actor=world.users["coordination"], **_post_values(world))
    assert len(_history(world.ctg)) == 1


def test_post_start_before_the_period_is_allowed(world):
    post = services.post_set(
        ctg=world.ctg, actor=world.users["coordination"], **_post_values(world, start_date=D(2023, 5, 2))
    )
    assert post.start_date == D(2023, 5, 2)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"person_name": "  "}, "person_name", "Indiquez le nom"),
        ({"person_name": "x" * 201}, "person_name", "200 caractères"),
        ({"fte": Decimal("0")}, "fte", "supérieur à 0"),
        ({"fte": Decimal("-0.5")}, "fte", "supérieur à 0"),
        ({"fte": Decimal("1.1")}, "fte", "au plus égal à 1"),
        ({"fte": Decimal("0.333")}, "fte", "deux décimales"),
        ({"fte": None}, "fte", "équivalent temps plein"),
        ({"fte": "beaucoup"}, "fte", "un nombre"),
        ({"start_date": None}, "start_date", "date de prise de poste"),
        ({"start_date": D(2029, 1, 1)}, "start_date", "avant la fin de la CTG (2025-2028)"),
        ({"end_date": D(2025, 1, 6)}, "end_date", "doit suivre"),
        ({"end_date": D(2024, 12, 31)}, "end_date", "doit suivre"),
        ({"employer": None}, "employer", "organisation employeuse"),
    ],
)
def test_post_set_refuses_bad_input(world, overrides, field, message):
    with pytest.raises(ValidationError) as excinfo:
        services.post_set(
            ctg=world.ctg, actor=world.users["coordination"], **_post_values(world, **overrides)
        )
    assert message in _errors(excinfo)[field]
    assert not CoordinatorPost.objects.exists() and not _history(world.ctg)


def test_post_user_must_be_a_member(world):
    with pytest.raises(ValidationError) as excinfo:
        services.post_set(
            ctg=world.ctg, actor=world.users["coordination"], **_post_values(world, user=UserFactory())
        )
    assert "membre du dossier" in _errors(excinfo)["user"]
    with pytest.raises(ValidationError):
        services.post_set(
            ctg=world.ctg,
            actor=world.users["coordination"],
            **_post_values(world, user=world.users["other_member"]),
        )
    assert not CoordinatorPost.objects.exists()


def test_post_employer_must_belong_to_the_dossier(world):
    stranger = OrganisationFactory(name="Association sans lien")
    with pytest.raises(ValidationError) as excinfo:
        services.post_set(
            ctg=world.ctg, actor=world.users["coordination"], **_post_values(world, employer=stranger)
        )
    assert "organisation du dossier" in _errors(excinfo)["employer"]
    world.ctg.partners.add(stranger)
    post = services.post_set(
        ctg=world.ctg, actor=world.users["coordination"], **_post_values(world, employer=stranger)
    )
    assert post.employer == stranger


def test_post_update_refused_keeps_the_post(world):
    post = services.post_set(ctg=world.ctg, actor=world.users["coordination"], **_post_values(world))
    with pytest.raises(ValidationError):
        services.post_set(
            ctg=world.ctg, actor=world.users["coordination"], **_post_values(world, fte=Decimal("2"))
        )
    post.refresh_from_db()
    assert post.fte == Decimal("0.80") and len(_history(world.ctg)) == 1


# --- funding ---------------------------------------------------------------------------------------------


@pytest.fixture
def post(world):
    return PostFactory(ctg=world.ctg)


def _funding_values(**overrides):
    values = {
        "year": 2025,
        "amount_agreed": Decimal("22500"),
        "advance_paid": Decimal("11250"),
        "balance_paid": Decimal("0"),
        "decided_on": D(2025, 2, 10),
    }
    return {**values, **overrides}


def test_funding_set_creates_updates_and_records(world, post):
    pilot = world.users["pilote_caf"]
    funding = services.funding_set(post=post, actor=pilot, **_funding_values())
    assert funding.remaining == Decimal("11250") and funding.created_by == pilot
    entry = _history(world.ctg)[-1]
    assert entry.actor == pilot and entry.item_type == "postfunding" and entry.item_id == funding.pk
    assert entry.labelled_changes["montant accordé"] == ["", "22500,00"]
    services.funding_set(
        post=post, actor=pilot, funding=funding, **_funding_values(balance_paid=Decimal("11250"))
    )
    funding.refresh_from_db()
    assert funding.remaining == 0
    assert _history(world.ctg)[-1].labelled_changes == {"solde versé": ["0,00", "11250,00"]}


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"year": 2024}, "year", "période de la CTG (2025-2028)"),
        ({"year": 2029}, "year", "période de la CTG"),
        ({"year": None}, "year", "Indiquez l'année"),
        ({"amount_agreed": None}, "amount_agreed", "Indiquez le montant accordé"),
        ({"amount_agreed": Decimal("-1")}, "amount_agreed", "ne peut pas être négatif"),
        ({"advance_paid": Decimal("-1")}, "advance_paid", "ne peut pas être négatif"),
        ({"balance_paid": Decimal("-0.01")}, "balance_paid", "ne peut pas être négatif"),
        ({"amount_agreed": Decimal("10.001")}, "amount_agreed", "deux décimales"),
        ({"amount_agreed": "mille"}, "amount_agreed", "un nombre"),
        ({"balance_paid": Decimal("11250.01")}, "balance_paid", "ne peuvent pas dépasser"),
    ],
)
def test_funding_set_refuses_bad_input(world, post, overrides, field, message):
    with pytest.raises(ValidationError) as excinfo:
        services.funding_set(post=post, actor=world.users["pilote_caf"], **_funding_values(**overrides))
    assert message in _errors(excinfo)[field]
    assert not PostFunding.objects.exists() and not _history(world.ctg)


def test_funding_year_is_unique(world, post):
    first = services.funding_set(post=post, actor=world.users["pilote_caf"], **_funding_values())
    with pytest.raises(ValidationError) as excinfo:
        services.funding_set(post=post, actor=world.users["pilote_caf"], **_funding_values())
    assert "déjà enregistré" in _errors(excinfo)["year"]
    second = services.funding_set(post=post, actor=world.users["pilote_caf"], **_funding_values(year=2026))
    with pytest.raises(ValidationError):
        services.funding_set(
            post=post, actor=world.users["pilote_caf"], funding=second, **_funding_values(year=2025)
        )
    second.refresh_from_db()
    assert second.year == 2026 and PostFunding.objects.count() == 2 and first.year == 2025


def test_funding_delete_records(world, post):
    funding = FundingFactory(post=post)
    services.funding_delete(funding=funding, actor=world.users["pilote_caf"])
    assert not PostFunding.objects.exists()
    entry = _history(world.ctg)[-1]
    assert entry.summary == "Financement CAF du poste pour 2025 supprimé"
    assert entry.actor == world.users["pilote_caf"]
    assert entry.labelled_changes["montant accordé"] == ["22500,00", ""]


def test_funding_of_an_accepted_report_is_kept(world, post):
    funding = FundingFactory(post=post)
    ReportFactory(post=post, year=2025, status=ActivityReport.Status.ACCEPTED)
    with pytest.raises(ValidationError) as excinfo:
        services.funding_delete(funding=funding, actor=world.users["pilote_caf"])
    assert "est accepté" in excinfo.value.messages[0]
    assert PostFunding.objects.filter(pk=funding.pk).exists() and not _history(world.ctg)


# --- reports ---------------------------------------------------------------------------------------------


def test_report_get_or_create(world, post):
    actor = world.users["coordination"]
    report = services.report_get_or_create(post=post, actor=actor, year=2026)
    assert report.status == ActivityReport.Status.TO_PREPARE
    assert services.report_get_or_create(post=post, actor=actor, year=2026) == report
    assert len(_history(world.ctg)) == 1 and _history(world.ctg)[0].item_type == "activityreport"
    with pytest.raises(ValidationError) as excinfo:
        services.report_get_or_create(post=post, actor=actor, year=2030)
    assert "période de la CTG" in _errors(excinfo)["year"]
    assert ActivityReport.objects.count() == 1


def test_report_full_cycle_records_who_and_when(world, post):
    coordination, pilot = world.users["coordination"], world.users["pilote_caf"]
    report = services.report_get_or_create(post=post, actor=coordination, year=2025)
    services.report_update(
        report=report, actor=coordination, priorities=" Accueil 11-14 ans ", comments="RAS"
    )
    report.refresh_from_db()
    assert report.priorities == "Accueil 11-14 ans" and report.comments == "RAS"
    assert _history(world.ctg)[-1].labelled_changes["priorités de l'année suivante"] == [
        "",
        "Accueil 11-14 ans",
    ]

    services.report_send(report=report, actor=coordination)
    report.refresh_from_db()
    assert report.status == ActivityReport.Status.SENT and report.sent_by == coordination
    assert report.sent_at is not None
    assert _history(world.ctg)[-1].labelled_changes == {"statut": ["À préparer", "Envoyé"]}

    FundingFactory(post=post, year=2025)
    services.report_accept(report=report, actor=pilot)
    report.refresh_from_db()
    assert report.status == ActivityReport.Status.ACCEPTED and report.accepted_by == pilot
    assert report.accepted_at >= report.sent_at
    entry = _history(world.ctg)[-1]
    assert entry.actor == pilot and entry.labelled_changes == {"statut": ["Envoyé", "Accepté"]}


def test_report_send_requires_priorities(world, post):
    report = ReportFactory(post=post, comments="Beaucoup de travail.")
    with pytest.raises(ValidationError) as excinfo:
        services.report_send(report=report, actor=world.users["coordination"])
    assert "Renseignez les priorités" in _errors(excinfo)["priorities"]
    report.refresh_from_db()
    assert report.status == ActivityReport.Status.TO_PREPARE and report.sent_at is None
    assert not _history(world.ctg)


def test_report_accept_requires_funding(world, post):
    report = ReportFactory(post=post, priorities="P", status=ActivityReport.Status.SENT)
    with pytest.raises(ValidationError) as excinfo:
        services.report_accept(report=report, actor=world.users["pilote_caf"])
    assert "financement CAF du poste pour 2025" in excinfo.value.messages[0]
    report.refresh_from_db()
    assert report.status == ActivityReport.Status.SENT and report.accepted_at is None


@pytest.mark.parametrize(
    ("status", "action", "message"),
    [
        (ActivityReport.Status.SENT, "send", "seul un rapport à préparer"),
        (ActivityReport.Status.ACCEPTED, "send", "seul un rapport à préparer"),
        (ActivityReport.Status.TO_PREPARE, "accept", "seul un rapport envoyé"),
        (ActivityReport.Status.ACCEPTED, "accept", "seul un rapport envoyé"),
    ],
)
def test_illegal_transitions_are_refused(world, post, status, action, message):
    FundingFactory(post=post, year=2025)
    report = ReportFactory(post=post, priorities="P", status=status)
    function = services.report_send if action == "send" else services.report_accept
    with pytest.raises(ValidationError) as excinfo:
        function(report=report, actor=world.users["pilote_caf"])
    assert message in excinfo.value.messages[0]
    report.refresh_from_db()
    assert report.status == status and not _history(world.ctg)


def test_accepted_report_is_not_edited(world, post):
    report = ReportFactory(post=post, priorities="P", status=ActivityReport.Status.ACCEPTED)
    with pytest.raises(ValidationError) as excinfo:
        services.report_update(report=report, actor=world.users["coordination"], priorities="X", comments="Y")
    assert "n'est plus modifiable" in excinfo.value.messages[0]
    report.refresh_from_db()
    assert report.priorities == "P" and report.comments == ""


def test_sent_report_may_still_be_completed(world, post):
    report = ReportFactory(post=post, priorities="P", status=ActivityReport.Status.SENT)
    services.report_update(report=report, actor=world.users["coordination"], priorities="P", comments="Ajout")
    report.refresh_from_db()
    assert report.comments == "Ajout" and report.status == ActivityReport.Status.SENT


def test_choices(world):
    members = set(services.member_users(world.ctg))
    assert world.users["coordination"] in members and world.users["other_member"] not in members
    employers = set(services.employer_choices(world.ctg))
    assert world.ctg.caf in employers
    assert world.ctg.caf.__class__.objects.get(name="CAF de l'Aude") not in employers
