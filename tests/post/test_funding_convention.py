"""The yearly funding convention of the coordinator post, through its services: the steps from the request to
the balance, their history, corrections and cancellations, and every bad input leaving nothing changed."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict

from ctg.core.models import Action, HistoryEntry
from ctg.post import selectors, services, stages
from ctg.post.models import ActivityReport, PostFunding
from tests.post.factories import FundingFactory, PostFactory, ReportFactory

D = datetime.date


def _history(ctg):
    return list(HistoryEntry.objects.filter(ctg=ctg, action=Action.FUNDING_CONVENTION).order_by("id"))


def _state(ctg) -> tuple:
    rows = [model_to_dict(f) for f in PostFunding.objects.filter(post__ctg=ctg).order_by("year")]
    return rows, HistoryEntry.objects.filter(ctg=ctg).count()


@pytest.fixture
def post(world):
    return PostFactory(ctg=world.ctg)


@pytest.fixture
def pilot(world):
    return world.users["pilote_caf"]


@pytest.fixture
def coordination(world):
    return world.users["coordination"]


def _requested(post, coordination, year=2026):
    return services.convention_request(
        post=post, actor=coordination, year=year, amount_requested="24000", requested_on=D(2025, 11, 15)
    )


def _signed(post, coordination, pilot, year=2026):
    funding = _requested(post, coordination, year)
    services.convention_agree(
        funding=funding, actor=pilot, amount_agreed="22500", decided_on=D(2026, 1, 20), advance_rate=50
    )
    services.convention_generated(funding=funding, actor=pilot, number=1)
    return services.convention_sign(
        funding=funding, actor=pilot, signed_on=D(2026, 2, 3), signatories="CAF du Tarn\nCC du Test"
    )


def _accepted_report(post, year=2026):
    return ReportFactory(
        post=post,
        year=year,
        status=ActivityReport.Status.ACCEPTED,
        accepted_at=datetime.datetime(2026, 11, 20, 10, tzinfo=datetime.UTC),
    )


def test_a_year_goes_from_request_to_balance_with_its_history(world, post, pilot, coordination):
    ctg = world.ctg
    assert selectors.year_stage(2026, None, None).code == stages.A_DEMANDER
    funding = _requested(post, coordination)
    assert funding.amount_agreed is None and funding.requested_by == coordination
    assert selectors.year_stage(2026, funding, None).code == stages.DEMANDEE
    services.convention_agree(
        funding=funding, actor=pilot, amount_agreed="22500", decided_on=D(2026, 1, 20), advance_rate=50
    )
    assert selectors.year_stage(2026, funding, None).code == stages.ACCORDEE
    services.convention_generated(funding=funding, actor=pilot, number=1)
    assert selectors.year_stage(2026, funding, None).code == stages.A_SIGNER
    services.convention_sign(funding=funding, actor=pilot, signed_on=D(2026, 2, 3), signatories="CAF du Tarn")
    stage = selectors.year_stage(2026, funding, None)
    assert stage.code == stages.SIGNEE and stage.due == D(2026, 3, 5) and stage.actor == stages.CAF
    services.convention_advance_pay(funding=funding, actor=pilot, amount="11250", paid_on=D(2026, 2, 20))
    assert selectors.year_stage(2026, funding, None).actor == stages.COORDINATION  # the report to send
    report = _accepted_report(post)
    assert selectors.year_stage(2026, funding, report).code == stages.RAPPORT_ACCEPTE
    services.convention_balance_pay(funding=funding, actor=pilot, amount="11250", paid_on=D(2026, 12, 1))
    funding.refresh_from_db()
    assert funding.advance_paid == Decimal("11250.00") and funding.advance_paid_on == D(2026, 2, 20)
    assert funding.balance_paid == Decimal("11250.00") and funding.remaining == 0
    assert selectors.year_stage(2026, funding, report).code == stages.SOLDEE
    entries = _history(ctg)
    assert [e.summary for e in entries] == [
        "Convention de financement 2026 du poste : demande enregistrée",
        "Convention de financement 2026 : décision de la CAF enregistrée",
        "Convention de financement 2026 générée (version 1)",
        "Convention de financement 2026 signée",
        "Convention de financement 2026 : acompte versé",
        "Convention de financement 2026 : solde versé",
    ]
    assert entries[0].actor == coordination and entries[1].actor == pilot
    assert entries[1].labelled_changes["montant accordé"][0] == ""
    assert entries[1].labelled_changes["taux d'acompte (%)"] == ["", "50"]
    assert entries[3].labelled_changes["convention signée le"] == ["", "03/02/2026"]


# --- bad input: a French message, nothing changed --------------------------------------------------------


def test_advance_is_refused_before_the_signature(world, post, pilot, coordination):
    funding = _requested(post, coordination)
    services.convention_agree(funding=funding, actor=pilot, amount_agreed="22500", decided_on=D(2026, 1, 20))
    services.convention_generated(funding=funding, actor=pilot, number=1)
    before = _state(world.ctg)
    with pytest.raises(ValidationError, match="une fois la convention signée"):
        services.convention_advance_pay(funding=funding, actor=pilot, amount="100", paid_on=D(2026, 2, 1))
    assert _state(world.ctg) == before


def test_balance_is_refused_before_the_report_is_accepted(world, post, pilot, coordination):
    funding = _signed(post, coordination, pilot)
    services.convention_advance_pay(funding=funding, actor=pilot, amount="11250", paid_on=D(2026, 2, 20))
    ReportFactory(post=post, year=2026, status=ActivityReport.Status.SENT, priorities="x")
    before = _state(world.ctg)
    with pytest.raises(ValidationError, match="rapport d'activité 2026 accepté"):
        services.convention_balance_pay(funding=funding, actor=pilot, amount="100", paid_on=D(2026, 12, 1))
    assert _state(world.ctg) == before


@pytest.mark.parametrize(
    ("service", "values", "field"),
    [
        ("convention_advance_pay", {"amount": "-1", "paid_on": D(2026, 2, 20)}, "amount"),
        ("convention_advance_pay", {"amount": "0", "paid_on": D(2026, 2, 20)}, "amount"),
        ("convention_advance_pay", {"amount": "22500.01", "paid_on": D(2026, 2, 20)}, "amount"),
        ("convention_advance_pay", {"amount": "abc", "paid_on": D(2026, 2, 20)}, "amount"),
        ("convention_advance_pay", {"amount": "100", "paid_on": D(2026, 1, 1)}, "paid_on"),  # before signing
        ("convention_advance_pay", {"amount": "100", "paid_on": D(2099, 1, 1)}, "paid_on"),
        ("convention_advance_pay", {"amount": "100", "paid_on": None}, "paid_on"),
        ("convention_agree", {"amount_agreed": "-5", "decided_on": D(2026, 1, 2)}, "amount_agreed"),
        ("convention_agree", {"amount_agreed": "5", "decided_on": D(2025, 1, 2)}, "decided_on"),
        (
            "convention_agree",
            {"amount_agreed": "5", "decided_on": D(2026, 1, 2), "advance_rate": 120},
            "advance_rate",
        ),
        ("convention_sign", {"signed_on": D(2026, 2, 3), "signatories": "  "}, "signatories"),
        ("convention_sign", {"signed_on": D(2099, 2, 3), "signatories": "CAF"}, "signed_on"),
        (
            "convention_sign",
            {"signed_on": D(2026, 1, 3), "signatories": "CAF"},
            "signed_on",
        ),  # before decision
    ],
)
def test_bad_input_changes_nothing(world, post, pilot, coordination, service, values, field):
    funding = _signed(post, coordination, pilot)
    before = _state(world.ctg)
    with pytest.raises(ValidationError) as excinfo:
        getattr(services, service)(funding=funding, actor=pilot, **values)
    assert field in excinfo.value.message_dict
    assert _state(world.ctg) == before


def test_advance_and_balance_never_exceed_the_agreed_amount(world, post, pilot, coordination):
    funding = _signed(post, coordination, pilot)
    services.convention_advance_pay(funding=funding, actor=pilot, amount="20000", paid_on=D(2026, 2, 20))
    _accepted_report(post)
    before = _state(world.ctg)
    with pytest.raises(ValidationError, match="ne peuvent pas dépasser ensemble le montant accordé"):
        services.convention_balance_pay(
            funding=funding, actor=pilot, amount="2500.01", paid_on=D(2026, 12, 1)
        )
    assert _state(world.ctg) == before
    # Lowering the agreed amount under what is paid is refused too.
    with pytest.raises(ValidationError, match="inférieur à ce qui est déjà versé"):
        services.convention_agree(
            funding=funding, actor=pilot, amount_agreed="19999", decided_on=D(2026, 1, 20)
        )
    assert _state(world.ctg) == before


@pytest.mark.parametrize(
    ("year", "amount", "requested_on", "field"),
    [
        (2024, "24000", D(2025, 11, 1), "year"),  # before the CTG's period
        (2029, "24000", D(2025, 11, 1), "year"),  # after it
        (None, "24000", D(2025, 11, 1), "year"),
        (2026, "-1", D(2025, 11, 1), "amount_requested"),
        (2026, "0", D(2025, 11, 1), "amount_requested"),
        (2026, "", D(2025, 11, 1), "amount_requested"),
        (2026, "24000", D(2099, 11, 1), "requested_on"),
        (2026, "24000", None, "requested_on"),
    ],
)
def test_bad_requests_change_nothing(world, post, coordination, year, amount, requested_on, field):
    before = _state(world.ctg)
    with pytest.raises(ValidationError) as excinfo:
        services.convention_request(
            post=post, actor=coordination, year=year, amount_requested=amount, requested_on=requested_on
        )
    assert field in excinfo.value.message_dict
    assert _state(world.ctg) == before


def test_a_year_outside_the_post_is_refused(world, coordination):
    post = PostFactory(ctg=world.ctg, start_date=D(2026, 3, 1), end_date=D(2027, 6, 30))
    assert services.post_years(post) == [2026, 2027]
    for year in (2025, 2028):
        with pytest.raises(ValidationError, match="année du poste"):
            services.convention_request(
                post=post, actor=coordination, year=year, amount_requested="1", requested_on=D(2025, 11, 1)
            )
    assert not PostFunding.objects.exists()


def test_a_second_convention_for_the_same_year_is_refused(world, post, coordination):
    _requested(post, coordination)
    before = _state(world.ctg)
    with pytest.raises(ValidationError, match="déjà sa convention"):
        _requested(post, coordination)
    assert _state(world.ctg) == before


def test_signature_needs_a_generated_convention_and_generation_an_agreement(world, post, pilot, coordination):
    funding = _requested(post, coordination)
    before = _state(world.ctg)
    with pytest.raises(ValidationError, match="décision de la CAF"):
        services.convention_generated(funding=funding, actor=pilot, number=1)
    services.convention_agree(funding=funding, actor=pilot, amount_agreed="22500", decided_on=D(2026, 1, 20))
    before = _state(world.ctg)
    with pytest.raises(ValidationError, match="Générez d'abord"):
        services.convention_sign(funding=funding, actor=pilot, signed_on=D(2026, 2, 3), signatories="CAF")
    assert _state(world.ctg) == before


def test_a_signed_convention_is_not_generated_again(world, post, pilot, coordination):
    funding = _signed(post, coordination, pilot)
    with pytest.raises(ValidationError, match="annulez la signature"):
        services.convention_generated(funding=funding, actor=pilot, number=2)


# --- corrections and cancellations ------------------------------------------------------------------------


def test_a_step_is_corrected_with_before_and_after(world, post, pilot, coordination):
    funding = _signed(post, coordination, pilot)
    services.convention_sign(funding=funding, actor=pilot, signed_on=D(2026, 2, 5), signatories="CAF du Tarn")
    last = _history(world.ctg)[-1]
    assert last.labelled_changes["convention signée le"] == ["03/02/2026", "05/02/2026"]


def test_cancellations_go_back_from_the_end_with_a_reason(world, post, pilot, coordination):
    funding = _signed(post, coordination, pilot)
    services.convention_advance_pay(funding=funding, actor=pilot, amount="11250", paid_on=D(2026, 2, 20))
    before = _state(world.ctg)
    with pytest.raises(ValidationError, match="annulez d'abord l'acompte"):
        services.convention_cancel(funding=funding, actor=pilot, step="signature", reason="Erreur de date")
    with pytest.raises(ValidationError, match="motif"):
        services.convention_cancel(funding=funding, actor=pilot, step="acompte", reason=" ")
    with pytest.raises(ValidationError, match="Rien à annuler"):
        services.convention_cancel(funding=funding, actor=pilot, step="solde", reason="x")
    assert _state(world.ctg) == before
    services.convention_cancel(funding=funding, actor=pilot, step="acompte", reason="Virement rejeté")
    services.convention_cancel(funding=funding, actor=pilot, step="signature", reason="Mauvais signataire")
    funding.refresh_from_db()
    assert funding.advance_paid == 0 and funding.signed_on is None and funding.signatories == ""
    assert selectors.year_stage(2026, funding, None).code == stages.A_SIGNER
    last = _history(world.ctg)[-1]
    assert last.summary == "Convention de financement 2026 : la signature annulé(e)"
    assert last.labelled_changes["motif"] == ["", "Mauvais signataire"]
    # Signed again: the steps can be taken again.
    services.convention_sign(
        funding=funding, actor=pilot, signed_on=D(2026, 2, 10), signatories="CAF du Tarn"
    )
    assert selectors.year_stage(2026, funding, None).code == stages.SIGNEE


def test_cancelling_the_request_removes_the_line(world, post, pilot, coordination):
    funding = _requested(post, coordination)
    services.convention_cancel(funding=funding, actor=pilot, step="demande", reason="Demande en double")
    assert not PostFunding.objects.exists()
    assert _history(world.ctg)[-1].labelled_changes["motif"] == ["", "Demande en double"]


def test_funding_form_cannot_pay_a_convention_line(world, post, pilot, coordination):
    funding = _signed(post, coordination, pilot)
    before = _state(world.ctg)
    with pytest.raises(ValidationError) as excinfo:
        services.funding_set(
            post=post,
            actor=pilot,
            funding=funding,
            year=2026,
            amount_agreed="22500",
            advance_paid="11250",
            balance_paid="11250",
            decided_on=D(2026, 1, 20),
        )
    assert {"advance_paid", "balance_paid"} <= set(excinfo.value.message_dict)
    assert _state(world.ctg) == before


def test_a_line_recorded_before_the_convention_keeps_its_amounts(world, post, pilot):
    """Rows of before the convention (amounts only) stay valid and are placed by what was paid."""
    funding = FundingFactory(post=post, year=2025, advance_paid=Decimal("11250"), balance_paid=0)
    assert not funding.follows_convention and funding.remaining == Decimal("11250")
    assert selectors.year_stage(2025, funding, None).code == stages.ACOMPTE_VERSE
    services.funding_set(
        post=post, actor=pilot, funding=funding, year=2025, amount_agreed="22500", advance_paid="11250",
        balance_paid="11250", decided_on=None,
    )  # fmt: skip
    funding.refresh_from_db()
    assert funding.balance_paid == Decimal("11250")


def test_report_accept_needs_an_agreed_amount(world, post, pilot, coordination):
    _requested(post, coordination)
    report = ReportFactory(post=post, year=2026, status=ActivityReport.Status.SENT, priorities="x")
    with pytest.raises(ValidationError, match="financement CAF du poste pour 2026"):
        services.report_accept(report=report, actor=pilot)


# --- the dashboard's contract ------------------------------------------------------------------------------


def test_funding_convention_stages_for_the_dashboard(
    world, post, pilot, coordination, django_assert_max_num_queries
):
    _signed(post, coordination, pilot)
    with django_assert_max_num_queries(3):
        result = selectors.funding_convention_stages([world.ctg, world.other_ctg], 2026)
    assert set(result) == {world.ctg.pk}  # the other dossier has no post
    [entry] = result[world.ctg.pk]
    assert set(entry) == {"post", "stage", "stage_label", "next_step", "due"}
    assert (
        entry["post"] == post and entry["stage"] == "signee" and entry["stage_label"] == "Convention signée"
    )
    assert entry["next_step"] == "Verser l'acompte. (à faire par la CAF (pilote CAF))"
    assert entry["due"] == D(2026, 3, 5)
    nothing = selectors.funding_convention_stages(type(world.ctg).objects.filter(pk=world.ctg.pk), 2027)
    assert nothing[world.ctg.pk][0]["stage"] == "a_demander"
    assert nothing[world.ctg.pk][0]["due"] == D(2026, 12, 31)
    outside = selectors.funding_convention_stages([world.ctg.pk], 2024)
    assert outside[world.ctg.pk][0]["stage"] == "hors_periode" and outside[world.ctg.pk][0]["due"] is None
