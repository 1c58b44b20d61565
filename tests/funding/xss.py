"""The funding pages' part of the XSS sweep (tests/security/test_xss_surfaces.py): the URL values of their
pages. They show no text of the dossier (NO_DOSSIER_TEXT); the one text a person types there, a value's
comment, is checked escaped by tests/funding/test_pages.py."""

KEY = "eaje_new_place_tranche_2"


def funding_url_values(d, name: str) -> dict:
    if not name.startswith("funding:"):
        return {}
    return {"caf_pk": d.ctg.caf_id, "key": KEY}
