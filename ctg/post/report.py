"""The yearly activity report of the coordinator post, which supports the renewal of the CAF's co-funding;
and the overview of the post (funding per year, reports, what is missing).

`compute(ctg, year)` returns a plain structure used by the page and both documents (PDF with WeasyPrint,
DOCX with python-docx):

- the post, the report of the year (status, who sent and accepted it, when), its comments and the
  priorities of the following year;
- the meetings held in the year (body, date, attendance counts) and the decisions taken in them;
- the progress of the plan d'action in the year, reusing `ctg.evaluation.bilan.compute`: fiches started, done,
  late; indicators per status; budget planned and spent;
- the CAF's funding of the post for the year.

Documents of a fictitious dossier (`ctg.is_fictitious`) say so on every page.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from ctg import rendering
from ctg.conventions.models import Ctg
from ctg.evaluation import bilan
from ctg.evaluation.bilan import euros
from ctg.governance.models import Decision, Meeting, Participant
from ctg.post.models import ActivityReport, CoordinatorPost

ZERO = Decimal("0.00")
FICTITIOUS_NOTICE = (
    "Dossier fictif (démonstration) : les personnes, les réunions et les montants sont fictifs."
)


def post_of(ctg: Ctg) -> CoordinatorPost | None:
    return CoordinatorPost.objects.select_related("employer", "user").filter(ctg=ctg).first()


def report_years(ctg: Ctg, post: CoordinatorPost | None, reported=()) -> list[int]:
    """The years an activity report is asked for: from the post's start (the year of its start date, not
    before the CTG's) to the CTG's end; never a year before the post began. `reported`: years that already
    have a report, kept readable. Without a post, the CTG's years."""
    first = ctg.start_year if post is None else max(ctg.start_year, post.start_date.year)
    years = set(range(first, ctg.end_year + 1))
    years |= {year for year in reported if ctg.start_year <= year <= ctg.end_year}
    return sorted(years)


def post_report_years(ctg: Ctg, post: CoordinatorPost | None) -> list[int]:
    """`report_years` with the post's existing reports."""
    reported = post.reports.values_list("year", flat=True) if post is not None else ()
    return report_years(ctg, post, reported)


def person_name(user) -> str:
    if user is None:
        return "—"
    return user.get_full_name() or user.email


def _meetings(ctg: Ctg, year: int) -> list[dict]:
    meetings = (
        Meeting.objects.filter(ctg=ctg, status=Meeting.Status.HELD, starts_at__year=year)
        .select_related("body")
        .prefetch_related("participants", "decisions")
        .order_by("starts_at", "id")
    )
    rows = []
    for meeting in meetings:
        counts = dict.fromkeys(Participant.Attendance.values, 0)
        for participant in meeting.participants.all():
            counts[participant.attendance] += 1
        rows.append(
            {
                "meeting": meeting,
                "body": meeting.body.name,
                "date": timezone.localtime(meeting.starts_at).date(),
                "date_short": meeting.date_short,  # « 05/2024 » for a meeting whose day is unknown
                "title": meeting.title,
                "invited": sum(counts.values()),
                "present": counts[Participant.Attendance.PRESENT],
                "excused": counts[Participant.Attendance.EXCUSED],
                "absent": counts[Participant.Attendance.ABSENT],
            }
        )
    return rows


def compute(ctg: Ctg, year: int) -> dict:
    post = post_of(ctg)
    report = funding = None
    if post is not None:
        report = (
            ActivityReport.objects.select_related("sent_by", "accepted_by")
            .filter(post=post, year=year)
            .first()
        )
        funding = post.fundings.filter(year=year).first()
    meetings = _meetings(ctg, year)
    decisions = list(
        Decision.objects.filter(meeting__in=[row["meeting"] for row in meetings])
        .select_related("meeting__body", "fiche")
        .order_by("meeting__starts_at", "position", "id")
    )
    plan = bilan.compute(ctg, year)
    status = report.status if report else ActivityReport.Status.TO_PREPARE
    return {
        "ctg": ctg,
        "year": year,
        "next_year": year + 1,
        "is_fictitious": ctg.is_fictitious,
        "post": post,
        "report": report,
        "status": status,
        "status_label": ActivityReport.Status(status).label,
        "priorities": report.priorities if report else "",
        "comments": report.comments if report else "",
        "sent_at": report.sent_at if report else None,
        "sent_by_name": person_name(report.sent_by) if report and report.sent_at else "",
        "accepted_at": report.accepted_at if report else None,
        "accepted_by_name": person_name(report.accepted_by) if report and report.accepted_at else "",
        "meetings": meetings,
        "attendance": {
            "invited": sum(m["invited"] for m in meetings),
            "present": sum(m["present"] for m in meetings),
        },
        "decisions": decisions,
        "plan": {
            "fiches_count": plan["fiches_count"],
            "started": plan["started"],
            "done": plan["done"],
            "late": plan["late"],
            "indicator_summary": plan["indicator_summary"],
            "indicators_count": len(plan["indicators"]),
            "budget": plan["budget"],
        },
        "funding": funding,
        "funding_texts": _funding_texts(funding),
    }


def _funding_texts(funding) -> dict | None:
    if funding is None:
        return None
    if funding.amount_agreed is None:  # a request that awaits the CAF's decision
        requested = euros(funding.amount_requested) if funding.amount_requested is not None else "—"
        return {
            "agreed": f"Non accordé (demandé : {requested})",
            "advance": euros(funding.advance_paid),
            "balance": euros(funding.balance_paid),
            "remaining": "—",
            "decided_on": "—",
        }
    return {
        "agreed": euros(funding.amount_agreed),
        "advance": euros(funding.advance_paid),
        "balance": euros(funding.balance_paid),
        "remaining": euros(funding.remaining),
        "decided_on": f"{funding.decided_on:%d/%m/%Y}" if funding.decided_on else "—",
    }


def status_text(data: dict) -> str:
    parts = [f"Statut : {data['status_label']}."]
    if data["sent_at"]:
        parts.append(f"Envoyé le {timezone.localtime(data['sent_at']):%d/%m/%Y} par {data['sent_by_name']}.")
    if data["accepted_at"]:
        parts.append(
            f"Accepté le {timezone.localtime(data['accepted_at']):%d/%m/%Y} par {data['accepted_by_name']}."
        )
    return " ".join(parts)


def post_text(post) -> str:
    if post is None:
        return "Poste de coordination non renseigné."
    fte = f"{post.fte:.2f}".replace(".", ",")
    text = f"{post.person_name}, {post.employer} — {fte} ETP depuis le {post.start_date:%d/%m/%Y}"
    if post.end_date:
        text += f", jusqu'au {post.end_date:%d/%m/%Y}"
    return text + "."


# --- overview of the post ------------------------------------------------------------------------------


def overview(ctg: Ctg, today: datetime.date) -> dict:
    """What the post page shows: the post, the funding per year of the period with totals, the reports per
    year with their status, and what is missing."""
    post = post_of(ctg)
    years = list(range(ctg.start_year, ctg.end_year + 1))
    fundings = {f.year: f for f in post.fundings.all()} if post else {}
    reports = {r.year: r for r in post.reports.all()} if post else {}
    asked = set(report_years(ctg, post, reports))
    rows = []
    for year in years:
        funding = fundings.get(year)
        report = reports.get(year)
        rows.append(
            {
                "year": year,
                "funding": funding,
                "texts": _funding_texts(funding),
                "report_asked": year in asked,
                "report": report,
                "report_status": report.get_status_display() if report else "À préparer",
                "report_state": report.status if report else ActivityReport.Status.TO_PREPARE,
            }
        )
    agreed = sum((f.amount_agreed for f in fundings.values() if f.amount_agreed is not None), ZERO)
    advance = sum((f.advance_paid for f in fundings.values()), ZERO)
    balance = sum((f.balance_paid for f in fundings.values()), ZERO)
    totals = {
        "agreed": euros(agreed),
        "advance": euros(advance),
        "balance": euros(balance),
        "remaining": euros(agreed - advance - balance),
    }
    return {
        "post": post,
        "years": years,
        "rows": rows,
        "has_funding": bool(fundings),
        "totals": totals,
        "missing": missing(ctg, post, fundings, reports, today),
    }


def missing(ctg: Ctg, post, fundings: dict, reports: dict, today: datetime.date) -> list[str]:
    """« Il manque » hints: the post, the funding of the current and next year, the reports of past years
    not sent, sent reports awaiting the CAF, balances of past years not paid."""
    if post is None:
        return ["Le poste de coordination n'est pas renseigné (personne, employeur, temps de travail)."]
    hints = []
    current = min(max(today.year, ctg.start_year), ctg.end_year)
    for year in (current, current + 1):
        if ctg.start_year <= year <= ctg.end_year and (year not in fundings or not fundings[year].is_agreed):
            hints.append(f"Le financement CAF du poste pour {year} n'est pas encore accordé.")
    asked = set(report_years(ctg, post, reports))  # no report before the post began
    for year in range(ctg.start_year, min(today.year, ctg.end_year + 1)):
        report = reports.get(year)
        if year not in asked:
            pass
        elif report is None or report.status == ActivityReport.Status.TO_PREPARE:
            hints.append(f"Le rapport d'activité {year} n'est pas encore envoyé à la CAF.")
        elif report.status == ActivityReport.Status.SENT:
            hints.append(f"Le rapport d'activité {year} attend l'acceptation de la CAF.")
        funding = fundings.get(year)
        if funding is not None and funding.is_agreed and funding.remaining > 0:
            hints.append(f"Il reste {euros(funding.remaining)} à verser sur le financement {year}.")
    return hints


# --- documents -------------------------------------------------------------------------------------------


def render_pdf(data: dict) -> bytes:
    context = {
        **data,
        "status_text": status_text(data),
        "post_text": post_text(data["post"]),
        "fictitious_notice": FICTITIOUS_NOTICE,
        "generated": timezone.localdate(),
    }
    # css_name: escaped for CSS by the css_string filter
    return rendering.pdf("post/report_pdf.html", context, css_name=data["ctg"].title)


def render_docx(data: dict) -> bytes:
    ctg, year = data["ctg"], data["year"]
    title = f"Rapport d'activité {year} du poste de coordination"
    document = rendering.docx_document(f"{title} — {ctg.title}")
    if data["is_fictitious"]:
        document.sections[0].header.paragraphs[0].text = "FICTIF — " + FICTITIOUS_NOTICE
    document.add_heading(title, level=0)
    if data["is_fictitious"]:
        document.add_paragraph("FICTIF — " + FICTITIOUS_NOTICE)
    document.add_paragraph(ctg.title)
    document.add_paragraph(f"Période de la CTG : {ctg.period_label}")
    document.add_paragraph(post_text(data["post"]))
    document.add_paragraph(status_text(data))

    document.add_heading("Activité de l'année", level=1)
    document.add_paragraph(data["comments"] or "Aucun commentaire saisi.")

    document.add_heading("Réunions des instances", level=1)
    if data["meetings"]:
        rendering.docx_table(
            document,
            ["Instance", "Date", "Invités", "Présents", "Excusés", "Absents"],
            [
                [
                    row["body"],
                    row["date_short"],
                    str(row["invited"]),
                    str(row["present"]),
                    str(row["excused"]),
                    str(row["absent"]),
                ]
                for row in data["meetings"]
            ],
        )
    else:
        document.add_paragraph(f"Aucune réunion tenue en {year}.")

    document.add_heading("Décisions", level=1)
    if data["decisions"]:
        rendering.docx_table(
            document,
            ["Réunion", "Décision"],
            [[f"{d.meeting.body.name} {d.meeting.on_label}", d.text] for d in data["decisions"]],
        )
    else:
        document.add_paragraph(f"Aucune décision en {year}.")

    document.add_heading("Avancement du plan d'action", level=1)
    plan = data["plan"]
    rendering.docx_table(
        document,
        ["Situation", "Nombre"],
        [
            ["Fiches du plan", str(plan["fiches_count"])],
            ["Fiches démarrées dans l'année", str(len(plan["started"]))],
            ["Fiches réalisées", str(len(plan["done"]))],
            ["Fiches en retard", str(len(plan["late"]))],
        ]
        + [[f"Indicateurs : {row['label']}", str(row["count"])] for row in plan["indicator_summary"]],
    )
    if plan["late"]:
        document.add_paragraph("Fiches en retard : " + ", ".join(f.title for f in plan["late"]) + ".")
    budget = plan["budget"]
    document.add_paragraph(
        f"Budget {year} du plan : prévu {budget['planned_text']}, réalisé {budget['spent_text']}."
    )

    document.add_heading(f"Financement CAF du poste en {year}", level=1)
    texts = data["funding_texts"]
    if texts:
        rendering.docx_table(
            document,
            ["Montant accordé", "Avance versée", "Solde versé", "Reste à verser", "Décision"],
            [[texts["agreed"], texts["advance"], texts["balance"], texts["remaining"], texts["decided_on"]]],
        )
    else:
        document.add_paragraph(f"Aucun financement enregistré pour {year}.")

    document.add_heading(f"Priorités pour {data['next_year']}", level=1)
    document.add_paragraph(data["priorities"] or "Aucune priorité saisie.")

    return rendering.docx_bytes(document)


def report_file(*, ctg_id: int, year: int, fmt: str) -> bytes:
    """The coordinator's yearly activity report as `fmt` ("pdf" or "docx") (a job's producer,
    `ctg.jobs.services.file_enqueue`)."""
    data = compute(Ctg.objects.get(pk=ctg_id), year)
    return render_pdf(data) if fmt == "pdf" else render_docx(data)
