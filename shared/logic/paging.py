"""Page/per_page rules shared by every list."""
from __future__ import annotations

from dataclasses import dataclass

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100


@dataclass(frozen=True)
class Paging:
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @classmethod
    def of(cls, page: int | None, per_page: int | None) -> "Paging":
        """Values above the maximum are clamped (and reported back in ``pagination``),
        as existing clients of the contract expect; below 1 is a validation error upstream."""
        return cls(page=page or 1, per_page=min(per_page or DEFAULT_PER_PAGE, MAX_PER_PAGE))
