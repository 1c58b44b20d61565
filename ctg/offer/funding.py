"""The CAF funding a structure of the offer receives (issue 12, item 1): which prestations de service and
whether the bonus territoire CTG applies. Codes are stored on the structure (`Structure.caf_funding`, a list);
amounts are not: they are parameters by year that the CAF-view issue (14) owns.
"""

# (code, French label)
FUNDING: tuple[tuple[str, str], ...] = (
    ("psu", "Prestation de service unique (PSU)"),
    ("bonus_territoire", "Bonus territoire CTG"),
    ("ps_alsh", "Prestation de service ALSH"),
    ("ps_jeunes", "Prestation de service Jeunes"),
    ("ps_rpe", "Prestation de service RPE"),
    ("ps_laep", "Prestation de service LAEP"),
    ("ps_animation_globale", "Prestation de service animation globale (centre social)"),
    ("ps_acf", "Prestation de service animation collective familles"),
    ("ps_evs", "Prestation de service animation locale (EVS)"),
    ("ps_mediation_familiale", "Prestation de service médiation familiale"),
    ("ps_fjt", "Prestation de service foyer de jeunes travailleurs"),
    ("clas", "Contrat local d'accompagnement à la scolarité (CLAS)"),
    ("reaap", "Réseau d'écoute, d'appui et d'accompagnement des parents (REAAP)"),
    ("fonds_publics_territoires", "Fonds publics et territoires"),
    ("autre", "Autre financement de la CAF"),
)
LABELS: dict[str, str] = dict(FUNDING)


def choices() -> list[tuple[str, str]]:
    return list(FUNDING)


def labels(codes) -> list[str]:
    """The French labels of stored codes, in the list's order; an unknown code is shown as written."""
    codes = list(codes or [])
    known = [label for code, label in FUNDING if code in codes]
    return known + [code for code in codes if code not in LABELS]
