from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = 100


class Pagination(LimitOffsetPagination):
    """limit (1 to 100, 50 by default) and offset (≥ 0); the answer gives `items` and `count` (the total)."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=MAX_LIMIT, description="Nombre d'éléments (1 à 100)")
        offset: int = Field(0, ge=0, le=2_147_483_647, description="Rang du premier élément (à partir de 0)")

    def __init__(self, **kwargs):
        super().__init__(max_limit=MAX_LIMIT, **kwargs)
