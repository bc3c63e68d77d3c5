"""Applicants' personal data: read it, masked for whoever may not see it whole (issue 5).

The applicant of a dossier (table `dossier_applicants`: name, ID number, phone, address) is shown
whole only to the official holding the dossier and the chairperson of its unit
(`Scope.sees_personal_data`); everyone else gets it masked, here, before it leaves `queries/`,
so no page, export or callback can show more than this returns. The JSON API and alert messages
carry none of it at all (docs/access.md).

The masks (decision):

- name: the family name whole, every other word reduced to its initial:
  "Nguyễn Văn An" -> "Nguyễn V. A."; a single word -> its initial ("An" -> "A."). What the press
  writes; a chairperson recognises a dossier by it, a screen photo does not identify the person.
- ID number (CCCD, CMND) and phone: the last 3 digits, the others as `*` (length kept):
  "026090001234" -> "*********234", "0912345678" -> "*******678".
- address: only the last two comma-separated parts (commune, province), the rest as `***`:
  "Thôn 3, Xã An Phú, Tỉnh Sơn Hà" -> "***, Xã An Phú, Tỉnh Sơn Hà". An address of two parts
  keeps only its last, one of a single part nothing: without three parts we cannot tell the
  commune from the street.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, select

from queries.models import Applicant, Dossier, Official, Unit
from queries.scope import Scope

T = TypeVar("T")
HIDDEN = "***"
#: Dossier ids per look-up: within SQLite's and PostgreSQL's bound-parameter limits.
_CHUNK = 5000


@dataclass(frozen=True)
class ApplicantView:
    """One applicant as this scope may see it; `masked` says whether the values were masked."""

    full_name: str | None
    id_number: str | None
    phone: str | None
    address: str | None
    masked: bool

    @property
    def empty(self) -> bool:
        return not any((self.full_name, self.id_number, self.phone, self.address))

    def summary(self) -> str:
        """Name and phone in one cell (lists and exports): 'Nguyễn V. A. · *******678'."""
        return " · ".join(value for value in (self.full_name, self.phone) if value)


def mask_name(name: str) -> str:
    words = unicodedata.normalize("NFC", name).split()
    if not words:
        return ""
    if len(words) == 1:
        return f"{words[0][0]}."
    return " ".join([words[0], *(f"{word[0]}." for word in words[1:])])


def _keep_last_three(value: str) -> str:
    text = "".join(value.split())
    if len(text) <= 3:
        return "*" * len(text)
    return "*" * (len(text) - 3) + text[-3:]


def mask_id(id_number: str) -> str:
    return _keep_last_three(id_number)


def mask_phone(phone: str) -> str:
    return _keep_last_three(phone)


def mask_address(address: str) -> str:
    parts = [part.strip() for part in unicodedata.normalize("NFC", address).split(",") if part.strip()]
    if not parts:
        return ""
    kept = parts[-2:] if len(parts) >= 3 else parts[1:]
    return ", ".join([HIDDEN, *kept])


def view(
    full_name: str | None,
    id_number: str | None,
    phone: str | None,
    address: str | None,
    *,
    masked: bool,
) -> ApplicantView:
    """The applicant whole, or masked field by field."""
    if not masked:
        return ApplicantView(full_name, id_number, phone, address, masked=False)
    return ApplicantView(
        mask_name(full_name) if full_name else None,
        mask_id(id_number) if id_number else None,
        mask_phone(phone) if phone else None,
        mask_address(address) if address else None,
        masked=True,
    )


def applicants(conn: Connection, scope: Scope, dossier_ids: Iterable[int]) -> dict[int, ApplicantView]:
    """The applicants of these dossiers (a page of a list, one dossier), each masked unless the
    scope is its dossier's holder or its unit's chairperson. Dossiers without an applicant (or
    with every field empty) are absent from the answer."""
    return {
        dossier_id: found
        for ids in _chunks(sorted(set(dossier_ids)))
        for dossier_id, _, found in _read(conn, scope, Applicant.dossier_id.in_(ids))
    }


def applicants_by_code(conn: Connection, scope: Scope, codes: Iterable[str]) -> dict[str, ApplicantView]:
    """`applicants` for dossiers named by their codes (lists that carry codes, not ids)."""
    return {
        code: found
        for chunk in _chunks(sorted(set(codes)))
        for _, code, found in _read(conn, scope, Dossier.code.in_(chunk))
    }


def _read(conn: Connection, scope: Scope, where: Any) -> Iterator[tuple[int, str, ApplicantView]]:
    stmt = (
        select(
            Applicant.dossier_id,
            Dossier.code,
            Applicant.full_name,
            Applicant.id_number,
            Applicant.phone,
            Applicant.address,
            Unit.code.label("unit_code"),
            Official.code.label("handler_code"),
        )
        .join(Dossier, Dossier.id == Applicant.dossier_id)
        .join(Unit, Unit.id == Dossier.unit_id)
        .outerjoin(Official, Official.id == Dossier.handler_id)
        .where(where)
    )
    for row in conn.execute(stmt):
        shown = scope.sees_personal_data(unit_code=row.unit_code, handler_code=row.handler_code)
        found = view(row.full_name, row.id_number, row.phone, row.address, masked=not shown)
        if not found.empty:
            yield row.dossier_id, row.code, found


def applicant(conn: Connection, scope: Scope, dossier_id: int) -> ApplicantView | None:
    """The applicant of one dossier as this scope may see it; None when none is recorded."""
    return applicants(conn, scope, [dossier_id]).get(dossier_id)


def _chunks(keys: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(keys), _CHUNK):
        yield keys[start : start + _CHUNK]
