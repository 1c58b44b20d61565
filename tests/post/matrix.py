"""Entries of the permission matrix (tests/test_permission_matrix.py) for the coordinator post's URLs.

MANAGE_POST: pilote_caf and coordination; FUND_POST (funding, accepting the report): pilote_caf only."""

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile

from ctg.documents.models import PostConventionVersion
from ctg.documents.post_convention import DEFAULT_ARTICLES
from tests.matrix_helpers import ALL_ROLES, EDITORS, LOGIN, MEMBER_ROLES, REDIRECT, Case, dossier
from tests.post.factories import FundingFactory, PostFactory, ReportFactory

CAF = ["pilote_caf"]
YEAR = 2025


def _with_post(w):
    PostFactory(ctg=w.ctg)
    return {"pk": w.ctg.pk}


def _funding(w):
    return {"pk": w.ctg.pk, "funding_pk": FundingFactory(post=PostFactory(ctg=w.ctg), year=YEAR).pk}


def _year(w):
    PostFactory(ctg=w.ctg)
    return {"pk": w.ctg.pk, "year": YEAR}


def _sent_report(w):
    post = PostFactory(ctg=w.ctg)
    FundingFactory(post=post, year=YEAR)
    ReportFactory(post=post, year=YEAR, status="envoye", priorities="Accueil des 11-14 ans.")
    return {"pk": w.ctg.pk, "year": YEAR}


def _report_to_send(w):
    ReportFactory(post=PostFactory(ctg=w.ctg), year=YEAR, priorities="Accueil des 11-14 ans.")
    return {"pk": w.ctg.pk, "year": YEAR}


FUNDING_DATA = {
    "year": "2026",
    "amount_agreed": "22500",
    "advance_paid": "11250",
    "balance_paid": "0",
    "decided_on": "2026-02-10",
}

# --- the yearly funding convention (year 2026 of the post) ---------------------------------------------

CONVENTION_YEAR = 2026
D = datetime.date


def _convention(w, **values):
    """The post of `w` with its 2026 funding line at a given step; the URL's kwargs."""
    line = {
        "amount_requested": Decimal("24000"),
        "requested_on": D(2025, 11, 15),
        "advance_paid": 0,
        **values,
    }
    FundingFactory(post=PostFactory(ctg=w.ctg), year=CONVENTION_YEAR, **line)
    return {"pk": w.ctg.pk, "year": CONVENTION_YEAR}


AGREED = {"amount_agreed": Decimal("22500"), "decided_on": D(2026, 1, 20), "advance_rate": 50}
GENERATED = {**AGREED, "convention_version": 1}
SIGNED = {**GENERATED, "signed_on": D(2026, 2, 3), "signatories": "CAF du Tarn"}


def _requested(w):
    return _convention(w, amount_agreed=None)


def _agreed(w):
    return _convention(w, **AGREED)


def _generated(w):
    return _convention(w, **GENERATED)


def _signed(w):
    return _convention(w, **SIGNED)


def _report_accepted(w):
    kwargs = _convention(w, **SIGNED, advance_paid=Decimal("11250"), advance_paid_on=D(2026, 2, 20))
    ReportFactory(
        post=w.ctg.coordinator_post,
        year=CONVENTION_YEAR,
        status="accepte",
        accepted_at=datetime.datetime(2026, 11, 20, 10, tzinfo=datetime.UTC),
    )
    return kwargs


def _version(w):
    """A generated version of the 2026 convention (its files written directly: the generation has its own
    tests), addressed by its number."""
    kwargs = _convention(w, **GENERATED)
    funding = w.ctg.coordinator_post.fundings.get(year=CONVENTION_YEAR)
    version = PostConventionVersion.objects.create(ctg=w.ctg, funding=funding, year=CONVENTION_YEAR, number=1)
    version.docx.save("convention.docx", ContentFile(b"PK docx"), save=False)
    version.pdf.save("convention.pdf", ContentFile(b"%PDF-1.7"), save=False)
    version.save()
    return {**kwargs, "number": version.number}


def _post_only(w):
    PostFactory(ctg=w.ctg)
    return {"pk": w.ctg.pk}


def _caf_staff(ok):
    """The CAF's model: the people of a CAF (whichever dossier), 403 for the others."""
    expected = {"anonymous": LOGIN}
    expected.update({role: (ok if role in ("pilote_caf", "other_caf") else 403) for role in ALL_ROLES[1:]})
    return expected


def _template_data(w):
    data = {"key": [a.key for a in DEFAULT_ARTICLES], "new-title": "", "new-body": ""}
    for a in DEFAULT_ARTICLES:
        data[f"title-{a.key}"] = a.title
        data[f"body-{a.key}"] = a.body
    return data


CONVENTION_MATRIX: dict = {
    ("documents:post_convention_template", "GET"): Case(expected=_caf_staff(200)),
    ("documents:post_convention_template", "POST"): Case(
        method="POST", expected=_caf_staff(REDIRECT), data=_template_data
    ),
    ("documents:post_convention_template_reset", "POST"): Case(method="POST", expected=_caf_staff(REDIRECT)),
    ("post:convention_request", "GET"): dossier(EDITORS, kwargs=_post_only),
    ("post:convention_request", "POST"): dossier(
        EDITORS,
        ok=REDIRECT,
        method="POST",
        kwargs=_post_only,
        data=lambda w: {"year": "2026", "amount_requested": "24 000", "requested_on": "2025-11-15"},
    ),
    ("post:convention_request_edit", "GET"): dossier(EDITORS, kwargs=_requested),
    ("post:convention_request_edit", "POST"): dossier(
        EDITORS,
        ok=REDIRECT,
        method="POST",
        kwargs=_requested,
        data=lambda w: {"amount_requested": "25000", "requested_on": "2025-11-16"},
    ),
    ("post:convention_agree", "GET"): dossier(CAF, kwargs=_requested),
    ("post:convention_agree", "POST"): dossier(
        CAF,
        ok=REDIRECT,
        method="POST",
        kwargs=_requested,
        data=lambda w: {"amount_agreed": "22500", "decided_on": "2026-01-20", "advance_rate": "50"},
    ),
    ("post:convention_sign", "GET"): dossier(CAF, kwargs=_generated),
    ("post:convention_sign", "POST"): dossier(
        CAF,
        ok=REDIRECT,
        method="POST",
        kwargs=_generated,
        data=lambda w: {"signed_on": "2026-02-03", "signatories": "CAF du Tarn\nCC du Test"},
    ),
    ("post:convention_advance", "GET"): dossier(CAF, kwargs=_signed),
    ("post:convention_advance", "POST"): dossier(
        CAF,
        ok=REDIRECT,
        method="POST",
        kwargs=_signed,
        data=lambda w: {"amount": "11250", "paid_on": "2026-02-20"},
    ),
    ("post:convention_balance", "GET"): dossier(CAF, kwargs=_report_accepted),
    ("post:convention_balance", "POST"): dossier(
        CAF,
        ok=REDIRECT,
        method="POST",
        kwargs=_report_accepted,
        data=lambda w: {"amount": "11250", "paid_on": "2026-12-01"},
    ),
    ("post:convention_cancel", "GET"): dossier(CAF, kwargs=lambda w: {**_signed(w), "step": "signature"}),
    ("post:convention_cancel", "POST"): dossier(
        CAF,
        ok=REDIRECT,
        method="POST",
        kwargs=lambda w: {**_signed(w), "step": "signature"},
        data=lambda w: {"reason": "Signataire erroné."},
    ),
    ("documents:post_convention_generate", "POST"): dossier(CAF, ok=REDIRECT, method="POST", kwargs=_agreed),
    ("documents:post_convention_docx", "GET"): dossier(MEMBER_ROLES, kwargs=_version),
    ("documents:post_convention_pdf", "GET"): dossier(MEMBER_ROLES, kwargs=_version),
}

MATRIX: dict = {
    ("post:detail", "GET"): dossier(MEMBER_ROLES),
    ("post:edit", "GET"): dossier(EDITORS),
    ("post:edit", "POST"): dossier(
        EDITORS,
        ok=REDIRECT,
        method="POST",
        data=lambda w: {
            "person_name": "Claire Martin",
            "employer": w.ctg.caf_id,
            "fte": "0,8",
            "start_date": "2025-01-06",
            "missions": "Animer la CTG.",
        },
    ),
    ("post:funding_add", "GET"): dossier(CAF, kwargs=_with_post),
    ("post:funding_add", "POST"): dossier(
        CAF, ok=REDIRECT, method="POST", kwargs=_with_post, data=lambda w: FUNDING_DATA
    ),
    ("post:funding_edit", "GET"): dossier(CAF, kwargs=_funding),
    ("post:funding_edit", "POST"): dossier(
        CAF, ok=REDIRECT, method="POST", kwargs=_funding, data=lambda w: {**FUNDING_DATA, "year": str(YEAR)}
    ),
    ("post:funding_delete", "POST"): dossier(CAF, ok=REDIRECT, method="POST", kwargs=_funding),
    ("post:report", "GET"): dossier(MEMBER_ROLES, kwargs=_year),
    ("post:report_update", "POST"): dossier(
        EDITORS,
        ok=REDIRECT,
        method="POST",
        kwargs=_year,
        data=lambda w: {"comments": "Deux COPIL tenus.", "priorities": "Accueil des 11-14 ans."},
    ),
    ("post:report_send", "POST"): dossier(EDITORS, ok=REDIRECT, method="POST", kwargs=_report_to_send),
    ("post:report_accept", "POST"): dossier(CAF, ok=REDIRECT, method="POST", kwargs=_sent_report),
    ("post:report_pdf", "GET"): dossier(MEMBER_ROLES, kwargs=_year),
    ("post:report_prepare", "POST"): dossier(
        MEMBER_ROLES, ok=REDIRECT, method="POST", kwargs=lambda w: {**_year(w), "fmt": "docx"}
    ),
    ("post:report_docx", "GET"): dossier(MEMBER_ROLES, kwargs=_year),
}
MATRIX.update(CONVENTION_MATRIX)
