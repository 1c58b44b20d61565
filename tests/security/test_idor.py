"""Another dossier's object, reached through this dossier's URL: every URL of the matrix that names an object
by id, with every method it accepts, answers 404 to the person with the most rights in this dossier — and
changes nothing.

The object ids come from the matrix's own builders, run against a mirror of the test world: the neighbouring
dossier (another CAF, another département) with a member in every role. The dossier id in the URL stays that
of the person's own dossier, so only the object's dossier differs (the classic « change the id in the URL »).
"""

import pytest
from django.apps import apps
from django.urls import get_resolver, reverse

from ctg.core.models import HistoryEntry
from ctg.organisations.permissions import Role
from tests.conftest import World
from tests.factories import MembershipFactory, UserFactory
from tests.test_permission_matrix import MATRIX

# URL arguments that address the dossier itself or public territories, not an object of a dossier. A public
# page's `slug` addresses a page published for anyone (its own checks: test_public_address_is_no_key below).
# `fmt` names a file format (pdf, docx).
NOT_OBJECT_IDS = {"pk", "year", "code", "siren", "uidb64", "token", "slug", "fmt"}


def url_args(name: str) -> set[str]:
    """The names of the arguments of a URL pattern."""
    resolver = get_resolver()
    possibilities = resolver.reverse_dict.getlist(name.split(":")[-1]) if ":" not in name else None
    if possibilities is None:
        namespace, short = name.rsplit(":", 1)
        sub = resolver
        for part in namespace.split(":"):
            sub = sub.namespace_dict[part][1]
        possibilities = sub.reverse_dict.getlist(short)
    return {param for possibility in possibilities for _text, params in possibility[0] for param in params}


IDOR_CASES = sorted((name, method) for (name, method) in MATRIX if url_args(name) - NOT_OBJECT_IDS)


def test_the_idor_cases_cover_every_object_url():
    """Every URL whose pattern carries an object id is tried, with each method it accepts (GET and POST)."""
    assert len(IDOR_CASES) >= 40, IDOR_CASES
    assert {method for _name, method in IDOR_CASES} == {"GET", "POST"}
    names = {name for name, _method in IDOR_CASES}
    for expected in (
        "conventions:member_remove",
        "documents:version_docx",
        "documents:diagnostic_version_pdf",
        "documents:diagnostic_version_docx",
        "post:funding_edit",
        "post:funding_delete",
        "plans:fiche_attachment_download",
        "notifications:read",
    ):
        assert expected in names


@pytest.fixture
def mirror(world):
    """The neighbouring dossier seen as the test world: its CAF adviser and one member per role."""
    users = {"pilote_caf": world.users["other_caf"]}
    for role in (Role.COORDINATION, Role.REFERENT_COMMUNAL, Role.PARTENAIRE, Role.LECTURE):
        users[role] = UserFactory(email=f"{role}@voisine.fr")
        membership = MembershipFactory(ctg=world.other_ctg, user=users[role], role=role)
        if role == Role.REFERENT_COMMUNAL:
            membership.communes.set(world.other_ctg.communes.all()[:1])
    users["other_member"] = world.users["pilote_caf"]
    users["other_caf"] = world.users["pilote_caf"]
    return World(ctg=world.other_ctg, other_ctg=world.ctg, users=users)


def _object_kwargs(world, mirror, case):
    kwargs = case.kwargs(mirror)
    if "pk" in kwargs:
        kwargs["pk"] = world.ctg.pk
    return kwargs


def _snapshot():
    """Row counts of every table of the project's apps, and the history."""
    counts = {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label
        in {
            "conventions",
            "plans",
            "governance",
            "evaluation",
            "post",
            "documents",
            "notifications",
            "organisations",
            "public",
            "findings",
            "surveys",
            "ateliers",
        }
    }
    counts["history"] = HistoryEntry.objects.count()
    return counts


@pytest.mark.parametrize(("name", "method"), IDOR_CASES, ids=[f"{n}-{m}" for n, m in IDOR_CASES])
def test_another_dossiers_object_answers_404_and_changes_nothing(client, world, mirror, name, method):
    case = MATRIX[(name, method)]
    kwargs = _object_kwargs(world, mirror, case)
    data = case.data(mirror)
    client.force_login(world.users["pilote_caf"])
    url = reverse(name, kwargs=kwargs)
    before = _snapshot()
    if method == "POST":
        response = client.post(url, data, headers=case.headers)
    else:
        response = client.get(url, headers=case.headers)
    assert response.status_code == 404, f"{method} {url} → {response.status_code}"
    assert _snapshot() == before


def test_public_address_is_no_key(client, world):
    """The public pages are addressed by a readable slug, meant to be found: it opens only a page that its
    signatories published, never a dossier. The settings of another dossier's public page answer 404 to the
    person with the most rights here, whatever the method, and change nothing."""
    from ctg.public import services as public_services
    from ctg.public.models import Publication

    other = public_services.publication_set(ctg=world.other_ctg, actor=world.users["other_caf"])
    client.force_login(world.users["pilote_caf"])
    for path in (f"/ctg-publique/{other.slug}/", f"/ctg-publique/{other.slug}/integration/"):
        assert client.get(path).status_code == 404, path  # set up, not published
    before = _snapshot()
    base = reverse("public:settings", kwargs={"pk": world.other_ctg.pk})
    assert client.get(base).status_code == 404
    for path in (base, f"{base}publier/", f"{base}retirer/"):
        assert client.post(path, {"show_budgets": "on"}).status_code == 404, path
    assert _snapshot() == before
    assert not Publication.objects.get(pk=other.pk).published
    # Published by its own signatories, it is public; this dossier's settings still do not reach it.
    public_services.publish(ctg=world.other_ctg, actor=world.users["other_caf"])
    client.post(reverse("public:withdraw", kwargs={"pk": world.ctg.pk}))
    assert Publication.objects.get(pk=other.pk).published
    assert client.get(f"/ctg-publique/{other.slug}/").status_code == 200
