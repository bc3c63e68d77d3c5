"""Who may see what: the scope every query function takes (issue 5, docs/access.md).

A scope is decided once per request from the signed-in user (dashboard/access.py) and passed to
`queries/`, which applies it in SQL: pages, callbacks, exports and the JSON API read through the
same functions, so none of them can show more than the query returns. A filter naming a unit or
sector outside the scope raises OutOfScope (403), never an empty answer that looks like "nothing
there".
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from queries.filters import Filters


class Role(StrEnum):
    ADMIN = "admin"  # the whole province, users and the audit trail; personal data masked
    SUPERVISOR = "supervisor"  # the whole province, optionally some sectors only
    CHAIR = "chair"  # chairperson or vice-chairperson: their own unit, personal data shown
    OFFICIAL = "official"  # their own dossiers, and their unit's totals


class OutOfScope(PermissionError):
    """A request for something the user's scope does not cover; `param` names what was asked."""

    def __init__(self, param: str, value: str) -> None:
        super().__init__(f"{param}={value!r} is outside your scope")
        self.param, self.value = param, value


@dataclass(frozen=True)
class Scope:
    """What one user may see. Frozen and hashable: it is part of every cache key."""

    role: Role
    unit: str | None = None  # chair and official: the unit's code
    official: str | None = None  # the official the user is (their dossiers, their alerts)
    sectors: tuple[str, ...] = ()  # a supervisor limited to these sector codes; () = all

    def __post_init__(self) -> None:
        if self.role in (Role.CHAIR, Role.OFFICIAL) and not self.unit:
            raise ValueError(f"a {self.role} scope needs a unit")
        if self.role is Role.OFFICIAL and not self.official:
            raise ValueError("an official scope needs the official's code")
        if self.sectors and self.role is not Role.SUPERVISOR:
            raise ValueError("only a supervisor's scope is limited to sectors")

    @classmethod
    def province(cls) -> Scope:
        """Everything, personal data masked: the scheduler, command-line tools, benchmarks."""
        return cls(Role.ADMIN)

    @property
    def unit_bound(self) -> bool:
        return self.unit is not None

    @property
    def own_dossiers_only(self) -> bool:
        """Lists of dossiers hold only the user's own (their unit's totals stay visible)."""
        return self.role is Role.OFFICIAL

    def allows_unit(self, code: str | None) -> bool:
        return self.unit is None or code == self.unit

    def allows_sector(self, code: str | None) -> bool:
        return not self.sectors or code in self.sectors

    def check_unit(self, code: str) -> None:
        if not self.allows_unit(code):
            raise OutOfScope("unit", code)

    def restrict(self, filters: Filters) -> Filters:
        """The filters narrowed to this scope: a unit-bound user's view is their unit; a filter
        naming another unit or an unlisted sector raises OutOfScope."""
        if filters.unit is not None:
            self.check_unit(filters.unit)
        if filters.sector is not None and not self.allows_sector(filters.sector):
            raise OutOfScope("sector", filters.sector)
        if self.unit is not None and filters.unit is None:
            filters = replace(filters, unit=self.unit)
        return filters

    def sees_personal_data(self, *, unit_code: str | None, handler_code: str | None) -> bool:
        """Applicants' names, ID numbers, phones and addresses: only for the official holding the
        dossier and the chairperson of its unit."""
        if self.official is not None and handler_code is not None and self.official == handler_code:
            return True
        return self.role is Role.CHAIR and unit_code is not None and unit_code == self.unit

    def cache_key(self) -> str:
        """A short stable text for cache keys and logs (no personal data: codes only)."""
        parts = [str(self.role), self.unit or "*", self.official or "-", ",".join(self.sectors) or "*"]
        return "/".join(parts)
