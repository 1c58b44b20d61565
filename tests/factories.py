import factory

from ctg.conventions.models import Ctg, Field, Membership, Milestone, Signatory
from ctg.organisations.models import Organisation, User
from ctg.territories.models import Commune, Departement, Epci, Region


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]

    code = "76"
    name = "Occitanie"


class DepartementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Departement
        django_get_or_create = ["code"]

    code = "81"
    name = "Tarn"
    region = factory.SubFactory(RegionFactory)


class EpciFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Epci

    siren = factory.Sequence(lambda n: f"2481{n:05d}")
    name = factory.Sequence(lambda n: f"CC de test {n}")
    nature = Epci.Nature.CC
    population = 10000


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commune

    # 81600 to 81849: no real Tarn commune and no code a test writes out (81271, 87085…), so a test's own
    # communes never collide with the sequence whatever ran before it.
    code = factory.Sequence(lambda n: f"81{600 + n % 250:03d}")
    name = factory.Sequence(lambda n: f"Commune {n}")
    departement = factory.SubFactory(DepartementFactory)
    region = factory.LazyAttribute(lambda o: o.departement.region)
    population = 1000
    search_name = factory.LazyAttribute(lambda o: o.name.lower())


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.ASSOCIATION

    class Params:
        caf = factory.Trait(kind=Organisation.Kind.CAF, departement=factory.SubFactory(DepartementFactory))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Test{n}")
    password = factory.PostGenerationMethodCall("set_password", "mot-de-passe-de-test")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CtgFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ctg
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"CTG de test {n}")
    caf = factory.SubFactory(OrganisationFactory, caf=True)
    epci = factory.SubFactory(EpciFactory)
    territory_key = factory.LazyAttribute(lambda o: f"epci:{o.epci.siren}" if o.epci else "communes:test")
    start_year = 2025
    end_year = 2028
    fields = factory.LazyFunction(lambda: [Field.PETITE_ENFANCE, Field.JEUNESSE])

    @factory.post_generation
    def communes(obj, create, extracted, **kwargs):
        if not create:
            return
        if extracted is not None:
            obj.communes.set(extracted)
        elif obj.epci_id:
            members = list(obj.epci.communes.all()) or [
                CommuneFactory(epci=obj.epci, departement=obj.caf.departement) for _ in range(2)
            ]
            obj.communes.set(members)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    ctg = factory.SubFactory(CtgFactory)
    user = factory.SubFactory(UserFactory)
    role = "partenaire"


class SignatoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Signatory

    ctg = factory.SubFactory(CtgFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    signer_name = "Dominique Exemple"
    signer_capacity = "Président"


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    ctg = factory.SubFactory(CtgFactory)
    kind = Milestone.Kind.ATELIER
    title = "Atelier parentalité"
    date = factory.Faker("date_this_decade")
