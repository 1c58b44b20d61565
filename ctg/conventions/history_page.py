"""The dossier's history page (issue 15, item 4): 50 lines a page, newest first, filtered by kind of item
(`Action`), person and date range, and its CSV export.

Contract:

* The filters are GET parameters read by `HistoryFilters` (``action``, ``auteur``, ``du``, ``au``, and
  ``element=<type>-<id>`` for one item's changes, as the items' pages link to it). A value that does not
  validate is ignored, and said on the page in French (status 400); the other filters still apply. Nothing
  a visitor types reaches the query unvalidated.
* A page costs the same number of queries whatever the history's length: one count, one page of lines
  (with their authors), one query per kind of cause (`HistoryEntry.objects.with_causes()`), one for the
  people offered in the filter.
* A page number that is not a number shows the first page, one beyond the last shows the last
  (`Paginator.get_page`): a link kept from a longer history still lands on the history.
* The CSV export takes the same filters, every line (not one page), its cells through `ctg.datafiles`
  (no cell is read as a formula).
"""

import datetime
import io
import re
from urllib.parse import urlencode

from django import forms
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.utils import timezone

from ctg.core.models import Action
from ctg.datafiles import csv_writer
from ctg.forms import DsfrForm

PER_PAGE = 50
SYSTEM = "systeme"  # the lines written by no one (a command, the system)
# Dates outside these years are refused: out of any dossier's life, and beyond what the databases convert.
FIRST_YEAR, LAST_YEAR = 1990, 2200
ELEMENT = re.compile(r"([a-z]{1,40})-(\d{1,18})")


class HistoryFilters(DsfrForm):
    action = forms.ChoiceField(label="Élément modifié", required=False)
    auteur = forms.ChoiceField(label="Auteur", required=False)
    du = forms.DateField(
        label="Du", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    au = forms.DateField(
        label="Au", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, data, *, people):
        super().__init__(data)
        self.fields["action"].choices = [("", "Tous les éléments"), *Action.choices]
        self.fields["auteur"].choices = [
            ("", "Toutes les personnes"),
            *((str(person.pk), person.get_full_name() or person.email) for person in people),
            (SYSTEM, "Système (sans auteur)"),
        ]

    def _clean_date(self, name):
        value = self.cleaned_data.get(name)
        if value and not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise forms.ValidationError(f"Indiquez une date entre {FIRST_YEAR} et {LAST_YEAR}.")
        return value

    def clean_du(self):
        return self._clean_date("du")

    def clean_au(self):
        return self._clean_date("au")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("du"), cleaned.get("au")
        if start and end and start > end:
            self.add_error("au", "La date de fin précède la date de début.")
            cleaned.pop("du", None)  # the range is ignored whole (add_error removed « au »)
        return cleaned

    def valid_values(self) -> dict:
        """The filters that validated (an invalid one is left out: the others still apply)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}


def history_people(ctg):
    """The people who wrote the dossier's history, for the filter (one query)."""
    return (
        get_user_model()
        .objects.filter(pk__in=ctg.history.filter(actor__isnull=False).values("actor_id"))
        .order_by("last_name", "first_name", "email")
    )


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def filtered_history(ctg, params):
    """The dossier's history lines kept by the filters of `params`, newest first; returns the lines, the
    filter form (with its errors) and whether a filter applies."""
    form = HistoryFilters(params or None, people=history_people(ctg))
    values = form.valid_values() if params else {}
    entries = ctg.history.select_related("actor").with_causes()
    element = ELEMENT.fullmatch(params.get("element", "")) if params else None
    if element:
        entries = entries.filter(item_type=element.group(1), item_id=int(element.group(2)))
    if "action" in values:
        entries = entries.filter(action=values["action"])
    if values.get("auteur") == SYSTEM:
        entries = entries.filter(actor__isnull=True)
    elif "auteur" in values:
        entries = entries.filter(actor_id=int(values["auteur"]))
    if "du" in values:
        entries = entries.filter(at__gte=_start_of(values["du"]))
    if "au" in values:
        entries = entries.filter(at__lt=_start_of(values["au"] + datetime.timedelta(days=1)))
    return entries.order_by("-at", "-id"), form, bool(values) or bool(element), element is not None


def history_page(entries, number):
    """One page of `entries` (50 lines); a junk number is the first page, one past the end the last."""
    page = Paginator(entries, PER_PAGE).get_page(number)
    page.pages_list = list(page.paginator.get_elided_page_range(page.number))
    return page


def query_string(params, **changes) -> str:
    """The filters of `params` that the page keeps in its links (the page number left out)."""
    kept = {
        name: params.get(name, "")
        for name in ("element", "action", "auteur", "du", "au")
        if params.get(name, "")
    }
    kept.update(changes)
    return urlencode(kept)


def _changes_text(entry) -> str:
    parts = []
    for label, (before, after) in entry.labelled_changes.items():
        parts.append(f"{label} : « {before} » → « {after} »" if before else f"{label} : « {after} »")
    return " | ".join(parts)


def _cause_text(entry) -> str:
    cause = entry.cause
    if cause is None:
        return ""
    return str(getattr(cause, "history_cause_label", "") or cause)


def history_csv(entries) -> str:
    """The lines as CSV text (semicolons, no cell read as a formula: `ctg.datafiles.csv_writer`)."""
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(["Date", "Auteur", "Élément", "Modification", "Détail", "Cause"])
    for entry in entries:
        writer.writerow(
            [
                timezone.localtime(entry.at).strftime("%d/%m/%Y %H:%M"),
                str(entry.actor) if entry.actor_id else "Système",
                entry.get_action_display(),
                entry.summary,
                _changes_text(entry),
                _cause_text(entry),
            ]
        )
    return buffer.getvalue()
