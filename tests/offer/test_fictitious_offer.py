"""A fictitious structure (the demo's) says so wherever it is shown, and is never published as real: the map's
table badges it, its source reads « structures fictives de la démonstration », and the data·inclusion export
leaves it out with that reason. Lists of a data·inclusion source show as text, its services in their table."""

import datetime
import json

from django.urls import reverse

from ctg.offer.services import structure_create


def make(commune, name, **values):
    return structure_create(
        actor=None,
        values={
            "type": "france_services",
            "name": name,
            "commune": commune,
            "latitude": 43.9,
            "longitude": 2.1,
            "last_update": datetime.date(2025, 3, 14),
            **values,
        },
    )


def test_a_fictitious_structure_is_labelled_and_never_exported(client, world):
    commune = world.ctg.communes.order_by("code").first()
    real = make(commune, "France services réelle", source="saisie")
    fake = make(commune, "France services inventée", source="demo", is_fictitious=True)
    client.force_login(world.users["lecture"])
    pk = world.ctg.pk

    page = client.get(reverse("offer:map", args=[pk])).content.decode()
    badge = '</a> <span class="fr-badge fr-badge--sm fr-badge--warning fr-badge--no-icon">Fictive</span>'
    assert f"France services inventée{badge}" in page
    assert f"France services réelle{badge}" not in page and "France services réelle</a></th>" in page
    detail = client.get(reverse("offer:structure", args=[pk, fake.pk])).content.decode()
    assert "Structures fictives de la démonstration" in detail

    exported = json.loads(client.get(reverse("offer:datainclusion_json", args=[pk])).content)
    names = [record["nom"] for record in exported]
    assert names == [real.name]
    communes = client.get(reverse("offer:communes", args=[pk])).content.decode()
    assert "France services inventée — structure fictive de démonstration" in communes


def test_data_inclusion_lists_read_as_text_and_services_in_their_table(client, world):
    commune = world.ctg.communes.order_by("code").first()
    structure = make(
        commune,
        "Centre social des Tilleuls",
        type="centre_social",
        source="saisie",
        source_details={
            "reseaux_porteurs": ["fcsf", "caf"],
            "services": [{"nom": "Accueil <b>parents</b>", "type_label": "Accompagnement"}],
        },
    )
    client.force_login(world.users["lecture"])
    page = client.get(reverse("offer:structure", args=[world.ctg.pk, structure.pk])).content.decode()
    assert "fcsf, caf" in page and "['fcsf'" not in page
    assert "Services (data·inclusion)" in page
    assert "Accueil &lt;b&gt;parents&lt;/b&gt;" in page and "<b>parents" not in page
