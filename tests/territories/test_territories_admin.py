import pytest

ADMIN_URLS = [
    "/admin/territories/region/",
    "/admin/territories/departement/?q=tarn",
    "/admin/territories/epci/?q=albigeois",
    "/admin/territories/commune/?q=81000",
    "/admin/territories/commune/81004/change/",
    "/admin/territories/formercommunecode/",
    "/admin/territories/territoryimport/",
]


@pytest.mark.django_db
def test_admin_pages_are_readable(admin_client, territories):
    assert {url: admin_client.get(url).status_code for url in ADMIN_URLS} == dict.fromkeys(ADMIN_URLS, 200)


@pytest.mark.django_db
def test_admin_offers_no_edit(admin_client, territories):
    assert admin_client.get("/admin/territories/commune/add/").status_code == 403
    response = admin_client.post("/admin/territories/commune/81004/change/", {"name": "Autre"})
    assert response.status_code == 403
    assert admin_client.post("/admin/territories/commune/81004/delete/", {"post": "yes"}).status_code == 403
