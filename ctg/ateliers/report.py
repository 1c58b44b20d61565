"""The report of an atelier as a PDF (through `ctg.rendering`): title, date, place, themes, the participants
who agreed to be named (the others counted), the organisations represented, the agenda, the contributions,
the dot vote, the findings created from it and the compte rendu."""

from django.utils import timezone

from ctg import rendering
from ctg.ateliers import services
from ctg.ateliers.models import Atelier


def report_data(atelier: Atelier) -> dict:
    attendances = list(atelier.attendances.select_related("organisation"))
    return {
        "ctg": atelier.ctg,
        "atelier": atelier,
        "listed": [a for a in attendances if a.consent_listed],
        "unlisted": sum(1 for a in attendances if not a.consent_listed),
        "present_count": len(attendances),
        "organisations": sorted({a.organisation.name for a in attendances if a.organisation_id}),
        "contributions": list(atelier.contributions.all()),
        "votes": services.ranked_votes(atelier),
        "findings": list(services.atelier_findings(atelier)),
        "generated": timezone.localdate(),
    }


def render_pdf(atelier: Atelier) -> bytes:
    # css_name: escaped for CSS by the css_string filter of the template
    return rendering.pdf("ateliers/report_pdf.html", report_data(atelier), css_name=atelier.title)


def report_pdf(*, atelier_id: int) -> bytes:
    """The atelier's report in PDF (a job's producer, `ctg.jobs.services.file_enqueue`)."""
    return render_pdf(Atelier.objects.get(pk=atelier_id))
