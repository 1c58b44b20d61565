"""The indicator catalogue's weights per field of intervention of a CTG, and its commercial equipment: what
ranks the points of attention of a dossier's portrait (`ctg.diagnostics.readings.rank_for_fields`). Data,
beside `ctg.diagnostics.catalogue` (the same indicator ids)."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ctg.diagnostics.catalogue import BPE_TYPES, Indicator

# How much each indicator speaks to each field of intervention of a CTG (`ctg.conventions.models.Field`
# values): 1 central to the field, 0.5 related; absent: not related. The points of attention of a dossier's
# portrait list first the indicators of the dossier's fields (`readings.rank_for_fields`). The setting
# CTG_INDICATOR_FIELD_WEIGHTS ({indicator id: {field: weight}}) replaces the weights of the indicators it
# names.
_BPE_FIELD_WEIGHTS = {
    "D502": {"petite_enfance": 1.0, "parentalite": 0.5},
    "C201": {"jeunesse": 1.0, "enfance": 0.5},
    "C301": {"jeunesse": 1.0},
    "D307": {"seniors": 0.5, "handicap": 0.5},
}
FIELD_WEIGHTS: dict[str, dict[str, float]] = {
    "evolution_annuelle_population": {"logement": 0.5, "animation_vie_sociale": 0.5},
    "part_moins_15_ans": {"enfance": 1.0, "petite_enfance": 0.5, "parentalite": 0.5},
    "part_15_29_ans": {"jeunesse": 1.0},
    "part_60_ans_et_plus": {"seniors": 1.0, "animation_vie_sociale": 0.5},
    "part_75_ans_et_plus": {"seniors": 1.0, "handicap": 0.5, "animation_vie_sociale": 0.5},
    "enfants_moins_3_ans": {"petite_enfance": 1.0, "parentalite": 0.5},
    "part_11_17_ans": {"jeunesse": 1.0, "enfance": 0.5},
    "familles_avec_enfants": {"parentalite": 1.0, "enfance": 0.5},
    "part_familles_monoparentales": {"parentalite": 1.0, "petite_enfance": 0.5, "acces_droits": 0.5},
    "menages_une_personne": {"animation_vie_sociale": 1.0, "seniors": 0.5, "logement": 0.5},
    "taux_chomage_15_64": {"acces_droits": 0.5, "mobilite": 0.5},
    "taux_chomage_15_24": {"jeunesse": 1.0, "acces_droits": 0.5, "mobilite": 0.5},
    "revenu_median_uc": {"acces_droits": 0.5, "logement": 0.5},
    "taux_pauvrete": {"acces_droits": 1.0, "logement": 0.5, "parentalite": 0.5},
    "part_prestations_sociales_revenu": {"acces_droits": 1.0},
    "allocataires": {"acces_droits": 0.5},
    "personnes_couvertes_caf": {"acces_droits": 0.5},
    "part_allocataires_monoparents": {"parentalite": 1.0, "acces_droits": 0.5},
    "allocataires_rsa": {"acces_droits": 1.0},
    "part_allocataires_rsa": {"acces_droits": 1.0},
    "allocataires_aah": {"handicap": 1.0, "acces_droits": 0.5},
    "allocataires_aide_logement": {"logement": 1.0, "acces_droits": 0.5},
    "allocataires_prime_activite": {"acces_droits": 0.5},
    "taux_couverture_accueil_jeune_enfant": {"petite_enfance": 1.0, "parentalite": 0.5},
    "places_eaje": {"petite_enfance": 1.0},
    **{
        f"equipements_{code}{suffix}": weights
        for code, weights in _BPE_FIELD_WEIGHTS.items()
        for suffix in ("", "_pour_10000")
    },
}

# Commercial equipment (BPE domain B: supermarkets, supérettes, shops): shown in the portrait, but never the
# lead of its points of attention nor in the convention's annex.
COMMERCIAL_INDICATORS = frozenset(
    f"equipements_{code}{suffix}"
    for code in BPE_TYPES
    if code.startswith("B")
    for suffix in ("", "_pour_10000")
)


def is_commercial(ind: Indicator) -> bool:
    return ind.id in COMMERCIAL_INDICATORS


def field_weights(indicator_id: str) -> dict[str, float]:
    """The weights of an indicator per field of intervention, the setting's when it names the indicator."""
    overrides = getattr(settings, "CTG_INDICATOR_FIELD_WEIGHTS", None) or {}
    if indicator_id in overrides:
        try:
            return {str(field): float(weight) for field, weight in overrides[indicator_id].items()}
        except (AttributeError, TypeError, ValueError):
            raise ImproperlyConfigured(
                f"CTG_INDICATOR_FIELD_WEIGHTS[{indicator_id!r}] : attendu un dictionnaire "
                "{champ d'intervention: poids (nombre)}."
            ) from None
    return FIELD_WEIGHTS.get(indicator_id, {})


def relevance(ind: Indicator, fields) -> float:
    """The indicator's highest weight among `fields` (0 when it concerns none of them)."""
    weights = field_weights(ind.id)
    return max((weights.get(field, 0.0) for field in fields), default=0.0)


def rank_for_fields(points: list[dict], fields=()) -> list[dict]:
    """Points of attention (`readings.attention_points`) ranked: the indicators of the dossier's fields of
    intervention first (highest weight first), then the others; within each, the most marked first;
    commercial equipment always last (never the lead). Each point gets its `relevance` (0: none of the
    fields). Without fields (a public portrait): by gap, commercial equipment last."""
    fields = list(fields or ())
    ranked = [{**p, "relevance": relevance(p["indicator"], fields)} for p in points]
    ranked.sort(key=lambda p: (is_commercial(p["indicator"]), -p["relevance"], -abs(p.get("gap") or 0)))
    return ranked


def annex_points(points: list[dict], fields=()) -> list[dict]:
    """The points of attention the convention's annex takes: ranked for the dossier's fields, never
    commercial equipment."""
    return [p for p in rank_for_fields(points, fields) if not is_commercial(p["indicator"])]
