"""The demo's yearly funding convention of the coordinator post (issue 14), all fictitious: for the year
after the two funded the old way (`ctg.demo.post`), the coordination's request, the CAF's decision, the
convention generated from the CAF's model (the default one), signed, and its advance paid; the activity
report and the balance are to come. Every write through the services; dates never after today (the services
refuse a future date). Loaded once: nothing when the post's convention is already followed."""

import datetime
from decimal import Decimal

from django.utils import timezone

from ctg.conventions.models import Ctg
from ctg.demo.post import AGREED, COORDINATOR_EMAIL, PILOT_EMAIL
from ctg.documents import post_convention
from ctg.post import services
from ctg.post.models import CoordinatorPost

REQUESTED = Decimal("24000.00")  # fictitious
SIGNATORIES = (
    "CAF (fictive), représentée par sa directrice\n"
    "Communauté de communes (fictive), représentée par son président"
)


def load(ctg: Ctg, users: dict) -> bool:
    """The year's convention of the demo post, up to its advance; returns whether it was created now."""
    post = CoordinatorPost.objects.filter(ctg=ctg).first()
    if post is None or any(f.follows_convention for f in post.fundings.all()):
        return False
    taken = set(post.fundings.values_list("year", flat=True))
    years = [year for year in services.post_years(post) if year not in taken]
    if not years:
        return False
    year = years[0]
    coordinator = users[COORDINATOR_EMAIL]
    pilot = users.get(PILOT_EMAIL, coordinator)
    today = timezone.localdate()

    def day(month_offset: int, d: int) -> datetime.date:
        """A day of the convention's calendar (months counted from January of `year`), never after today."""
        y, m = divmod(month_offset, 12)
        return min(datetime.date(year + y, m + 1, d), today)

    funding = services.convention_request(
        post=post, actor=coordinator, year=year, amount_requested=REQUESTED, requested_on=day(-2, 11)
    )
    services.convention_agree(
        funding=funding, actor=pilot, amount_agreed=AGREED, decided_on=day(0, 20), advance_rate=50
    )
    post_convention.generate(funding=funding, actor=pilot)
    services.convention_sign(funding=funding, actor=pilot, signed_on=day(1, 3), signatories=SIGNATORIES)
    services.convention_advance_pay(funding=funding, actor=pilot, amount=AGREED / 2, paid_on=day(1, 20))
    return True
