"""Import a province's one-stop export (CSV with the national sync field names) into the database.

`import_csv` is what `python -m queries import FILE --kind KIND` runs. The contract:

1. The file is checked before anything is written: UTF-8 (a BOM is fine), text, a header row
   holding every required column of the kind. Otherwise the whole file is refused
   (ImportReport.refusal) and the database is untouched.
2. Every row is validated (queries/import_rows.py). Bad rows go to a reject file beside the
   input, with their line number and a reason a clerk can act on; good rows are written.
3. Rows are upserted by their code in batches, all in one transaction per file, so a crash or a
   file that turns out not to be UTF-8 halfway leaves nothing half-written.
4. Re-importing the same file changes nothing: every row is compared with what is stored and
   counted inserted, updated or unchanged; unchanged rows are not written at all.
5. Dossiers are clocked on the way in (queries.clocking.derive) so the derived SLA columns are
   current, with their pauses, status history and first apology letter taken into account.
6. The per-day rollups (queries/rollups.py) are refreshed in the same transaction for the
   dossiers and ratings written, including the days those dossiers counted on before (a
   corrected finish date leaves no stale day behind), so the dashboard never sees an import
   half counted; a procedure whose fee starts or stops rebuilds them (fee-bearing is stored).

docs/import.md describes every column and every rule for the clerks and the engineers.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Protocol

from sqlalchemy import Connection, Engine, Table, select
from sqlalchemy.dialects import postgresql, sqlite

from queries import audit, rollups
from queries.clocking import Derived, derive
from queries.domain import FINISHED_STATUSES, PauseKind, Status
from queries.import_rows import (
    KINDS,
    REJECT_COLUMNS,
    UNIT_LIST,
    ApplicantRow,
    Cells,
    DossierRow,
    KindSpec,
    Problem,
    ProcedureRef,
    References,
    RowRejected,
    UnitRow,
    duplicate_key,
    parse_dossier,
    parse_official,
    parse_procedure,
    parse_rating,
    parse_step,
    parse_unit,
    unknown_code,
)
from queries.models import (
    ApologyLetter,
    Applicant,
    Dossier,
    DossierStep,
    Official,
    Pause,
    Procedure,
    Rating,
    Sector,
    StatusChange,
    Unit,
)
from queries.notify_urls import url_fingerprint
from queries.sla import Clock, DossierClock, memoised
from queries.workcalendar import CalendarError

#: Rows per upsert statement and per look-up of stored rows: large enough to amortise a round trip,
#: small enough for SQLite's and PostgreSQL's bound-parameter limits.
BATCH_SIZE = 5000
#: SQLite page cache during an import, in KiB (negative = KiB in PRAGMA cache_size).
SQLITE_IMPORT_CACHE_KIB = -65536


# --- the report ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ImportReport:
    """What one import did; `ok` is False when a row was rejected or the file refused."""

    kind: str
    rows_read: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    warnings: list[str]
    reject_path: Path | None
    #: Why the whole file was refused (nothing written), or None when it was read.
    refusal: str | None = None

    @property
    def ok(self) -> bool:
        return self.refusal is None and self.rejected == 0

    def summary(self) -> str:
        if self.refusal is not None:
            return f"{self.kind}: file refused, nothing imported: {self.refusal}"
        text = (
            f"{self.kind}: {self.rows_read} rows read, {self.inserted} inserted, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.rejected} rejected"
        )
        if self.reject_path is not None:
            text += f" (reasons in {self.reject_path})"
        if self.warnings:
            text += f"; {len(self.warnings)} warning(s), first: {self.warnings[0]}"
        return text


class FileRefused(ValueError):
    """The file as a whole cannot be imported (not CSV, not UTF-8, columns missing)."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(f"{vi} / {en}")


def default_reject_path(path: Path) -> Path:
    """`dossiers.csv` -> `dossiers.rejects.csv`, beside the input."""
    return path.with_name(f"{path.stem}.rejects.csv")


def import_csv(
    engine: Engine,
    path: Path,
    kind: str,
    *,
    clock: Clock,
    reject_path: Path | None,
    now: datetime,
    actor: str | None = None,
    shown_url: Callable[[str], str] | None = None,
) -> ImportReport:
    """Import one CSV export of `kind`; see the module docstring for the contract.

    `now` (naive Vietnam time) stamps updated_at and the status changes whose time the export
    does not carry. Raises ValueError for an unknown kind (a programming error, the CLI restricts
    the choice); a bad file is reported, not raised.

    An official whose notification URLs change is recorded in the audit trail
    (`notify_urls_changed`, in the import's transaction) by `actor` (default `import:<file name>`),
    each URL as `shown_url` renders it: the command line passes Apprise's privacy form
    (alerts/delivery.py `shown`); without it, `url_fingerprint` (queries/ knows no Apprise).
    """
    spec = KINDS.get(kind)
    if spec is None:
        raise ValueError(f"unknown import kind {kind!r}; use one of {', '.join(KINDS)}")
    tally, touched = _Tally(), _Touched()
    try:
        with CsvSource.open(path, spec) as source, engine.begin() as conn, _bulk_cache(conn):
            tally.warnings.extend(source.warnings)
            ctx = _Context(spec, source.present, memoised(clock), now, tally, touched)
            ctx = replace(ctx, actor=actor or f"import:{path.name}", file=path.name)
            if shown_url is not None:
                ctx = replace(ctx, shown_url=shown_url)
            loader = LOADERS[kind](conn, ctx)
            for batch in source.batches(BATCH_SIZE):
                tally.rows_read += len(batch)
                loader.load(_well_formed(batch, source, tally))
            loader.finish()
            if touched.fees_changed and rollups.is_built(conn):  # counted with the old fee everywhere
                rollups.rebuild(conn, now=now)
            elif touched.dossier_ids:
                rollups.refresh(conn, dossier_ids=touched.dossier_ids, slices=touched.slices_before, now=now)
            written = (reject_path or default_reject_path(path)) if tally.rejects else None
            if written is not None:  # before the commit: rows are never kept without their rejects' reasons
                _write_rejects(written, source.header, tally.rejects)
    except FileRefused as refused:
        return ImportReport(kind, 0, 0, 0, 0, 0, [], None, refusal=str(refused))
    return tally.report(kind, written)


# --- reading the CSV -------------------------------------------------------------------------------
@dataclass(frozen=True)
class SourceRow:
    line: int  # where the record starts in the file; the header is line 1
    cells: dict[str, str]  # canonical column -> stripped value
    raw: list[str]  # the cells as read, for the reject file


class CsvSource:
    """A CSV export opened for import: header checked, rows streamed with their line numbers."""

    def __init__(self, spec: KindSpec, handle: IO[str], delimiter: str) -> None:
        self.spec = spec
        self._handle = handle
        self._reader = csv.reader(handle, delimiter=delimiter)
        self.warnings: list[str] = []
        self.header = self._next()
        if self.header is None:
            raise FileRefused("Tệp rỗng, không có dòng tiêu đề", "The file is empty: no header row")
        self.columns = self._columns(self.header)
        self.present = frozenset(column for column in self.columns if column)

    @classmethod
    def open(cls, path: Path, spec: KindSpec) -> CsvSource:
        """Open `path`, or raise FileRefused saying what is wrong with it."""
        try:
            with path.open("rb") as handle:
                head = handle.read(65536)
        except OSError as exc:
            raise FileRefused(f"Không đọc được tệp {path}: {exc}", f"Cannot read {path}: {exc}") from exc
        delimiter = _sniff(head, spec)
        handle = path.open(encoding="utf-8-sig", newline="")
        try:
            return cls(spec, handle, delimiter)
        except BaseException:
            handle.close()
            raise

    def __enter__(self) -> CsvSource:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._handle.close()

    def batches(self, size: int) -> Iterator[list[SourceRow]]:
        batch: list[SourceRow] = []
        for row in self.rows():
            batch.append(row)
            if len(batch) >= size:
                yield batch
                batch = []
        if batch:
            yield batch

    def rows(self) -> Iterator[SourceRow]:
        columns = self.columns
        while True:
            line = self._reader.line_num + 1
            raw = self._next()
            if raw is None:
                return
            if not "".join(raw).strip():
                continue
            cells = {column: value.strip() for column, value in zip(columns, raw, strict=False) if column}
            yield SourceRow(line, cells, raw)

    def _next(self) -> list[str] | None:
        """The next record, None at the end; a decoding or CSV error anywhere refuses the file
        (the import's transaction then rolls back whatever was written before)."""
        try:
            return next(self._reader, None)
        except UnicodeDecodeError as exc:
            raise FileRefused(
                f"Tệp không phải văn bản UTF-8 (lỗi gần dòng {self._reader.line_num + 1}); "
                "hãy lưu lại dưới dạng 'CSV UTF-8'",
                f"The file is not UTF-8 text (error near line {self._reader.line_num + 1}); "
                "save it again as 'CSV UTF-8'",
            ) from exc
        except csv.Error as exc:
            raise FileRefused(
                f"Tệp không phải CSV hợp lệ (dòng {self._reader.line_num}): {exc}",
                f"The file is not valid CSV (line {self._reader.line_num}): {exc}",
            ) from exc

    def _columns(self, header: list[str]) -> list[str | None]:
        """The canonical column at each position (None = ignored), or FileRefused."""
        known = _names(self.spec)
        reserved = {column.casefold() for column in REJECT_COLUMNS}
        columns: list[str | None] = []
        for cell in header:
            name = unicodedata.normalize("NFC", cell).strip().casefold()
            column = known.get(name)
            if column is not None and column in columns:
                raise FileRefused(
                    f"Cột {column} xuất hiện hai lần ở dòng tiêu đề",
                    f"Column {column} appears twice in the header",
                )
            if column is None and name and name not in reserved:
                self.warnings.append(
                    f"Cột '{cell.strip()}' không thuộc loại {self.spec.kind} nên bị bỏ qua / "
                    f"column '{cell.strip()}' is not a {self.spec.kind} column: ignored"
                )
            columns.append(column)
        _check_header(self.spec, [column for column in columns if column], header)
        return columns


def _sniff(head: bytes, spec: KindSpec) -> str:
    """The delimiter of a text file (Excel in a Vietnamese locale writes ';'), or FileRefused."""
    if not head.lstrip(b"\xef\xbb\xbf \t\r\n"):
        raise FileRefused("Tệp rỗng, không có dòng tiêu đề", "The file is empty: no header row")
    if head.startswith(b"PK\x03\x04"):
        raise FileRefused(
            "Tệp là bảng tính Excel (.xlsx), không phải CSV; hãy lưu lại dưới dạng 'CSV UTF-8'",
            "The file is an Excel workbook (.xlsx), not CSV; save it as 'CSV UTF-8'",
        )
    if b"\x00" in head:
        raise FileRefused(
            "Tệp là tệp nhị phân, không phải CSV (hoặc lưu dạng UTF-16); hãy lưu lại dưới dạng 'CSV UTF-8'",
            "The file is binary, not CSV (or saved as UTF-16); save it as 'CSV UTF-8'",
        )
    first = head.split(b"\n", 1)[0]
    try:
        line = first.decode("utf-8-sig").strip("\r")
    except UnicodeDecodeError:
        raise FileRefused(
            "Tệp không phải văn bản UTF-8 (dòng 1); hãy lưu lại dưới dạng 'CSV UTF-8'",
            "The file is not UTF-8 text (line 1); save it again as 'CSV UTF-8'",
        ) from None
    known = set(_names(spec))

    def score(delimiter: str) -> int:
        cells = next(csv.reader([line], delimiter=delimiter), [])
        return sum(cell.strip().casefold() in known for cell in cells)

    return max((",", ";", "\t"), key=score)


def _names(spec: KindSpec) -> dict[str, str]:
    """Header names (case-folded) -> the kind's column: its columns and their aliases."""
    names = {alias.casefold(): column for alias, column in spec.aliases.items()}
    names.update({column.casefold(): column for column in spec.columns})
    return names


def _check_header(spec: KindSpec, columns: list[str], header: list[str]) -> None:
    if not columns:
        raise FileRefused(
            f"Dòng đầu không có tên cột nào của loại {spec.kind}: tệp thiếu dòng tiêu đề "
            f"hoặc không phải tệp {spec.kind} (cần các cột {', '.join(spec.required)})",
            f"The first line has no {spec.kind} column name: the header row is missing or this is not "
            f"a {spec.kind} file (needs {', '.join(spec.required)})",
        )
    missing = [column for column in spec.required if column not in columns]
    if missing:
        hint = _other_kind(header, spec)
        raise FileRefused(
            f"Thiếu cột bắt buộc: {', '.join(missing)}" + (f" (tệp có vẻ là loại {hint})" if hint else ""),
            f"Required columns missing: {', '.join(missing)}"
            + (f" (this looks like a {hint} file)" if hint else ""),
        )


def _other_kind(header: list[str], spec: KindSpec) -> str | None:
    """The kind whose required columns this header has, for a friendlier refusal."""
    present = {cell.strip().casefold() for cell in header}
    for other in KINDS.values():
        if other is not spec and {column.casefold() for column in other.required} <= present:
            return other.kind
    return None


def _well_formed(batch: list[SourceRow], source: CsvSource, tally: _Tally) -> list[SourceRow]:
    """Drop (and reject) rows with more non-empty cells than the header has columns."""
    width = len(source.header)
    good = []
    for row in batch:
        if len(row.raw) > width and any(cell.strip() for cell in row.raw[width:]):
            tally.reject(
                row,
                [
                    Problem(
                        f"dòng có {len(row.raw)} ô nhưng tiêu đề chỉ có {width} cột (thừa dấu phân cách?)",
                        f"the row has {len(row.raw)} cells but the header {width} columns (stray delimiter?)",
                    )
                ],
            )
            continue
        good.append(row)
    return good


def _write_rejects(path: Path, header: list[str], rejects: list[_Reject]) -> None:
    """Reason first (what a clerk reads), then the original row; BOM so Excel shows Vietnamese."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*REJECT_COLUMNS, *header])
        for reject in sorted(rejects, key=lambda reject: reject.line):
            writer.writerow([reject.line, reject.vi, reject.en, *reject.raw])


# --- counting --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Reject:
    line: int
    vi: str
    en: str
    raw: list[str]


@dataclass
class _Tally:
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejects: list[_Reject] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def reject(self, row: SourceRow, problems: Sequence[Problem]) -> None:
        vi = "; ".join(problem.vi for problem in problems)
        en = "; ".join(problem.en for problem in problems)
        self.rejects.append(_Reject(row.line, f"Dòng {row.line}: {vi}", f"Line {row.line}: {en}", row.raw))

    def warn(self, line: int, subject: str, problem: Problem) -> None:
        self.warnings.append(f"Dòng {line}: {subject}: {problem.vi} / line {line}: {subject}: {problem.en}")

    def count(self, *, new: bool, changed: bool) -> None:
        if new:
            self.inserted += 1
        elif changed:
            self.updated += 1
        else:
            self.unchanged += 1

    def report(self, kind: str, reject_path: Path | None) -> ImportReport:
        return ImportReport(
            kind,
            self.rows_read,
            self.inserted,
            self.updated,
            self.unchanged,
            len(self.rejects),
            list(self.warnings),
            reject_path,
        )


# --- writing helpers -------------------------------------------------------------------------------
@dataclass
class _Touched:
    """What the rollup refresh at the end of the import must recompute."""

    dossier_ids: set[int] = field(default_factory=set)  # dossiers written, or whose ratings were
    slices_before: set[rollups.Slice] = field(default_factory=set)  # (unit, day) they held before
    fees_changed: bool = False  # a stored procedure became fee-bearing or stopped being so


@dataclass(frozen=True)
class _Context:
    spec: KindSpec
    present: frozenset[str]  # the spec's columns found in the header
    clock: Clock
    now: datetime
    tally: _Tally
    touched: _Touched
    actor: str = "import"  # who the audit trail says changed what this import changes
    file: str = ""  # the input's name, for the audit trail
    shown_url: Callable[[str], str] = url_fingerprint

    def kept(self) -> frozenset[str]:
        """Database columns left alone because their optional CSV column is absent."""
        return frozenset(
            db for csv_column, db in self.spec.kept_when_absent.items() if csv_column not in self.present
        )


def _upsert(
    conn: Connection,
    table: Table,
    key: Sequence[str],
    update: Sequence[str],
    *,
    new: Sequence[dict[str, Any]] = (),
    changed: Sequence[dict[str, Any]] = (),
) -> None:
    """Write rows by their unique `key` in batches; `update` are the columns a conflict overwrites
    (none: ON CONFLICT DO NOTHING).

    Changed rows: INSERT ... ON CONFLICT (key) DO UPDATE. Rows that were not stored when we looked,
    on SQLite: ON CONFLICT DO NOTHING first, which SQLite runs 2-3x faster than DO UPDATE on the
    dossier table (bench/import_rate.py); pysqlite counts the rows an executemany wrote, so a short
    count means another writer inserted some of these keys since, and the rows are then upserted
    like changed ones. psycopg reports no count for executemany (-1) and PostgreSQL upserts as fast
    as it inserts, so there new rows are simply upserted.
    """
    insert = sqlite.insert(table) if conn.dialect.name == "sqlite" else postgresql.insert(table)
    if not update:
        _execute(conn, insert.on_conflict_do_nothing(index_elements=list(key)), [*changed, *new])
        return
    if new and conn.dialect.name == "sqlite":
        inserted = _execute(conn, insert.on_conflict_do_nothing(index_elements=list(key)), new)
        new = new if inserted < len(new) else ()
    rows = [*changed, *new]
    if rows:
        stmt = insert.on_conflict_do_update(
            index_elements=list(key), set_={column: insert.excluded[column] for column in update}
        )
        _execute(conn, stmt, rows)


def _execute(conn: Connection, stmt: Any, rows: Sequence[dict[str, Any]]) -> int:
    """executemany in batches; the rows written, where the driver counts them (pysqlite does)."""
    written = 0
    for chunk in _chunks(rows):
        written += conn.execute(stmt, list(chunk)).rowcount
    return written


@contextmanager
def _bulk_cache(conn: Connection) -> Iterator[None]:
    """A 64 MB SQLite page cache for the import, then the connection's own setting again.

    Batches inserted in key order touch each index page once per batch if it stays cached: with
    the default 2 MB cache the dossier table's eight indexes no longer fit beyond ~10^5 rows
    (bench/import_rate.py measures the difference). PostgreSQL manages its own buffers.
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    previous = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size={SQLITE_IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(previous or -2000)}")


def _differs(stored: Mapping[str, Any] | None, values: Mapping[str, Any], columns: Iterable[str]) -> bool:
    return stored is None or any(stored[column] != values[column] for column in columns)


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), BATCH_SIZE):
        yield items[start : start + BATCH_SIZE]


def _by_code(conn: Connection, table: Table) -> dict[str, Mapping[str, Any]]:
    """A whole (small) catalogue table keyed by code."""
    return {row["code"]: row for row in conn.execute(select(table)).mappings()}


def _dossier_ids(conn: Connection, codes: Iterable[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for chunk in _chunks(sorted(set(codes))):
        ids.update(conn.execute(select(Dossier.code, Dossier.id).where(Dossier.code.in_(chunk))).all())
    return ids


def load_references(conn: Connection) -> References:
    """The code -> id maps every row is validated against, loaded once per file."""
    procedures = {
        row.code: ProcedureRef(
            row.id, row.sector_id, row.time_unit, float(row.time_value or 0), bool(row.pause_on_payment)
        )
        for row in conn.execute(
            select(
                Procedure.code,
                Procedure.id,
                Procedure.sector_id,
                Procedure.time_unit,
                Procedure.time_value,
                Procedure.pause_on_payment,
            )
        )
    }
    return References(
        units=dict(conn.execute(select(Unit.code, Unit.id)).all()),
        sectors=dict(conn.execute(select(Sector.code, Sector.id)).all()),
        procedures=procedures,
        officials=dict(conn.execute(select(Official.code, Official.id)).all()),
    )


class _Loader(Protocol):
    def __init__(self, conn: Connection, ctx: _Context) -> None: ...

    def load(self, batch: list[SourceRow]) -> None: ...

    def finish(self) -> None: ...


class _Duplicates:
    """First occurrence of a key in the file wins; later ones are rejected pointing at it."""

    def __init__(self) -> None:
        self._seen: dict[Any, int] = {}

    def first_line(self, key: Any, line: int) -> int | None:
        first = self._seen.setdefault(key, line)
        return None if first == line else first


# --- units -----------------------------------------------------------------------------------------
class UnitLoader:
    """Units may name a parent defined further down the file, so they are written at the end."""

    def __init__(self, conn: Connection, ctx: _Context) -> None:
        self.conn, self.ctx = conn, ctx
        self.rows: list[tuple[SourceRow, UnitRow]] = []
        self.duplicates = _Duplicates()

    def load(self, batch: list[SourceRow]) -> None:
        for source in batch:
            try:
                row = parse_unit(Cells(source.cells))
            except RowRejected as rejected:
                self.ctx.tally.reject(source, rejected.problems)
                continue
            first = self.duplicates.first_line(row.code, source.line)
            if first is not None:
                self.ctx.tally.reject(source, [duplicate_key(f"MaDonVi '{row.code}'", first)])
                continue
            self.rows.append((source, row))

    def finish(self) -> None:
        stored = self._stored()
        accepted = self._with_known_parents(stored)
        kept = self.ctx.kept()
        compared = [column for column in ("level", "name_vi", "name_en") if column not in kept]
        if "parent_id" not in kept:
            compared.append("parent_code")
        changed = []
        for _, row in accepted:
            values = {
                "code": row.code,
                "level": str(row.level),
                "name_vi": row.name_vi,
                "name_en": row.name_en,
                "parent_code": row.parent_code,
            }
            differs = _differs(stored.get(row.code), values, compared)
            self.ctx.tally.count(new=row.code not in stored, changed=differs)
            if differs:
                changed.append(values)
        self._write(changed, kept)

    def _stored(self) -> dict[str, dict[str, Any]]:
        rows = self.conn.execute(select(Unit)).mappings().all()
        codes = {row["id"]: row["code"] for row in rows}
        return {row["code"]: {**row, "parent_code": codes.get(row["parent_id"])} for row in rows}

    def _with_known_parents(self, stored: Mapping[str, Any]) -> list[tuple[SourceRow, UnitRow]]:
        """Reject units whose parent is neither stored nor an accepted unit of this file."""
        accepted = list(self.rows)
        while True:
            known = set(stored) | {row.code for _, row in accepted}
            orphans = [
                (s, r) for s, r in accepted if r.parent_code is not None and r.parent_code not in known
            ]
            if not orphans:
                return accepted
            for source, row in orphans:
                self.ctx.tally.reject(source, [unknown_code("MaDonViCha", row.parent_code or "", UNIT_LIST)])
            accepted = [item for item in accepted if item not in orphans]

    def _write(self, changed: list[dict[str, Any]], kept: frozenset[str]) -> None:
        """Two passes: a parent that is new in this file has no id until the first pass inserted it."""
        update = [column for column in ("level", "name_vi", "name_en", "parent_id") if column not in kept]
        ids = dict(self.conn.execute(select(Unit.code, Unit.id)).all())
        _upsert(self.conn, Unit.__table__, ["code"], update, changed=[_unit_values(v, ids) for v in changed])
        late = [values for values in changed if values["parent_code"] and values["parent_code"] not in ids]
        if late:
            ids = dict(self.conn.execute(select(Unit.code, Unit.id)).all())
            _upsert(self.conn, Unit.__table__, ["code"], update, changed=[_unit_values(v, ids) for v in late])


def _unit_values(values: Mapping[str, Any], ids: Mapping[str, int]) -> dict[str, Any]:
    parent = values["parent_code"]
    row = {key: value for key, value in values.items() if key != "parent_code"}
    row["parent_id"] = ids.get(parent) if parent else None
    return row


# --- procedures (and their sectors) ----------------------------------------------------------------
class ProcedureLoader:
    COMPARED = (
        "name_vi",
        "name_en",
        "sector_id",
        "time_value",
        "time_unit",
        "online_level",
        "fee",
        "pause_on_payment",
    )

    def __init__(self, conn: Connection, ctx: _Context) -> None:
        self.conn, self.ctx = conn, ctx
        self.stored = _by_code(conn, Procedure.__table__)
        self.sectors = _by_code(conn, Sector.__table__)
        self.sector_names: dict[str, tuple[str, str, int]] = {}  # code -> (vi, en, first line)
        self.duplicates = _Duplicates()

    def load(self, batch: list[SourceRow]) -> None:
        parsed = []
        for source in batch:
            try:
                row = parse_procedure(Cells(source.cells))
            except RowRejected as rejected:
                self.ctx.tally.reject(source, rejected.problems)
                continue
            first = self.duplicates.first_line(row.code, source.line)
            if first is not None:
                self.ctx.tally.reject(source, [duplicate_key(f"MaTTHC '{row.code}'", first)])
                continue
            self._note_sector(source, row.sector_code, row.sector_name_vi, row.sector_name_en)
            parsed.append(row)
        sector_ids = self._write_sectors()
        kept = self.ctx.kept()
        compared = [column for column in self.COMPARED if column not in kept]
        changed = []
        for row in parsed:
            values = {
                "code": row.code,
                "name_vi": row.name_vi,
                "name_en": row.name_en,
                "sector_id": sector_ids[row.sector_code],
                "time_value": row.time_value,
                "time_unit": str(row.time_unit),
                "online_level": str(row.online_level),
                "fee": row.fee,
                "pause_on_payment": row.pause_on_payment,
            }
            differs = _differs(self.stored.get(row.code), values, compared)
            self.ctx.tally.count(new=row.code not in self.stored, changed=differs)
            if differs:
                changed.append(values)
                stored = self.stored.get(row.code)
                if stored is not None and "fee" in compared and _charges(stored) != _charges(values):
                    self.ctx.touched.fees_changed = True
        _upsert(self.conn, Procedure.__table__, ["code"], compared, changed=changed)

    def finish(self) -> None:
        return None

    def _note_sector(self, source: SourceRow, code: str, name_vi: str, name_en: str) -> None:
        """The first name given for a sector code in the file is used; a different one is a warning."""
        kept_vi, _, line = self.sector_names.setdefault(code, (name_vi, name_en, source.line))
        if kept_vi != name_vi:
            self.ctx.tally.warn(
                source.line,
                f"MaLinhVuc '{code}'",
                Problem(
                    f"TenLinhVuc '{name_vi}' khác tên ở dòng {line} ('{kept_vi}'); dùng tên ở dòng {line}",
                    f"TenLinhVuc '{name_vi}' differs from line {line} ('{kept_vi}'); line {line} used",
                ),
            )

    def _write_sectors(self) -> dict[str, int]:
        keep_en = "TenLinhVucEn" not in self.ctx.present
        compared = ["name_vi"] if keep_en else ["name_vi", "name_en"]
        changed = []
        for code, (name_vi, name_en, _) in self.sector_names.items():
            values = {"code": code, "name_vi": name_vi, "name_en": name_en, "heavy": False}
            if _differs(self.sectors.get(code), values, compared):
                changed.append(values)
        _upsert(self.conn, Sector.__table__, ["code"], compared, changed=changed)
        if changed:
            self.sectors = _by_code(self.conn, Sector.__table__)
        return {code: row["id"] for code, row in self.sectors.items()}


def _charges(values: Mapping[str, Any]) -> bool:
    """Whether a procedure is fee-bearing (what the rollups store per dossier received)."""
    return (values["fee"] or 0) > 0


# --- officials -------------------------------------------------------------------------------------
class OfficialLoader:
    COMPARED = ("full_name", "unit_id", "role", "notify_urls", "language", "sector_id")

    def __init__(self, conn: Connection, ctx: _Context) -> None:
        self.conn, self.ctx = conn, ctx
        self.refs = load_references(conn)
        self.stored = _by_code(conn, Official.__table__)
        self.duplicates = _Duplicates()

    def load(self, batch: list[SourceRow]) -> None:
        kept = self.ctx.kept()
        compared = [column for column in self.COMPARED if column not in kept]
        changed = []
        for source in batch:
            try:
                row = parse_official(Cells(source.cells), self.refs)
            except RowRejected as rejected:
                self.ctx.tally.reject(source, rejected.problems)
                continue
            first = self.duplicates.first_line(row.code, source.line)
            if first is not None:
                self.ctx.tally.reject(source, [duplicate_key(f"MaCanBo '{row.code}'", first)])
                continue
            values = {
                "code": row.code,
                "full_name": row.full_name,
                "unit_id": row.unit_id,
                "role": str(row.role),
                "notify_urls": row.notify_urls,
                "language": row.language,
                "sector_id": row.sector_id,
                "active": True,
            }
            differs = _differs(self.stored.get(row.code), values, compared)
            self.ctx.tally.count(new=row.code not in self.stored, changed=differs)
            if differs:
                changed.append(values)
                if "notify_urls" in compared:
                    self._audit_urls(source, row.code, row.notify_urls)
        _upsert(self.conn, Official.__table__, ["code"], compared, changed=changed)

    def _audit_urls(self, source: SourceRow, code: str, urls: str) -> None:
        """notify_urls_changed, each URL in its privacy form: the secrets stay in the officials table."""
        stored = self.stored.get(code)
        before, after = (stored["notify_urls"] or "").split() if stored else [], urls.split()
        if before == after:
            return
        shown = self.ctx.shown_url
        audit.record(
            self.conn,
            actor=self.ctx.actor,
            action="notify_urls_changed",
            target=f"official:{code}",
            detail={
                "official": code,
                "before": [shown(url) for url in before],
                "after": [shown(url) for url in after],
                "file": self.ctx.file,
                "line": source.line,
            },
        )

    def finish(self) -> None:
        return None


# --- dossiers --------------------------------------------------------------------------------------
#: Columns whose change makes a re-imported dossier "updated" (updated_at itself is not compared).
DOSSIER_COMPARED = (
    "unit_id",
    "procedure_id",
    "sector_id",
    "channel",
    "received_at",
    "statutory_due_at",
    "appointment_due_at",
    "due_at",
    "status",
    "finished_at",
    "returned_at",
    "outcome",
    "handler_id",
    "supplement_count",
    "digitized_components",
    "digitized_result",
    "paid_online",
)
PauseKey = tuple[str, datetime]  # (kind, started_at): the pause's identity (uq_pause_event)
SUPPLEMENT, SUSPENSION = str(PauseKind.SUPPLEMENT), str(PauseKind.SUSPENSION)


@dataclass(frozen=True)
class _DossierPlan:
    """What to write for one dossier row that is new or changed."""

    dossier_id: int | None  # None: a new dossier
    values: dict[str, Any]
    new_pauses: list[dict[str, Any]]  # pause rows to write, without dossier_id
    changed_pauses: list[dict[str, Any]]
    status_since: datetime | None  # when the new status began; None when the status is unchanged


class DossierLoader:
    """Dossier rows: validated, clocked with their pauses, upserted with their status history."""

    def __init__(self, conn: Connection, ctx: _Context) -> None:
        self.conn, self.ctx = conn, ctx
        self.refs = load_references(conn)
        self.duplicates = _Duplicates()

    def load(self, batch: list[SourceRow]) -> None:
        """1. parse; 2. load what is stored for these codes; 3. plan each row; 4. write the changes."""
        rows = self._parse(batch)
        stored = self._stored([row.code for _, row in rows])
        ids = [record["id"] for record in stored.values()]
        pauses, letters = self._pauses(ids), self._first_letters(ids)
        people = self._applicants(ids) if any(row.applicant for _, row in rows) else {}
        plans = []
        applicants: dict[str, dict[str, Any]] = {}  # dossier code -> the applicant to write
        for source, row in rows:
            record = stored.get(row.code)
            dossier_id = record["id"] if record else None
            try:
                plan = self._plan(source, row, record, pauses.get(dossier_id, {}), letters.get(dossier_id))
            except CalendarError as exc:
                self.ctx.tally.reject(
                    source, [Problem(f"không tính được hạn: {exc}", f"cannot clock: {exc}")]
                )
                continue
            person = _applicant_values(people.get(dossier_id), row.applicant)
            self.ctx.tally.count(new=record is None, changed=plan is not None or person is not None)
            if plan is not None:
                plans.append(plan)
            if person is not None:
                applicants[row.code] = person
        ids_by_code = {code: record["id"] for code, record in stored.items()}
        ids_by_code.update(self._write(plans))
        _upsert(
            self.conn,
            Applicant.__table__,
            ["dossier_id"],
            APPLICANT_FIELDS,
            changed=[{**person, "dossier_id": ids_by_code[code]} for code, person in applicants.items()],
        )

    def finish(self) -> None:
        return None

    def _parse(self, batch: list[SourceRow]) -> list[tuple[SourceRow, DossierRow]]:
        rows = []
        for source in batch:
            cells = Cells(source.cells)
            try:
                row = parse_dossier(cells, self.refs)
            except RowRejected as rejected:
                self.ctx.tally.reject(source, rejected.problems)
                continue
            first = self.duplicates.first_line(row.code, source.line)
            if first is not None:
                self.ctx.tally.reject(source, [duplicate_key(f"MaHoSo '{row.code}'", first)])
                continue
            for note in cells.notes:
                self.ctx.tally.warn(source.line, f"MaHoSo '{row.code}'", note)
            rows.append((source, row))
        return rows

    def _plan(
        self,
        source: SourceRow,
        row: DossierRow,
        record: Mapping[str, Any] | None,
        stored_pauses: Mapping[PauseKey, datetime | None],
        extension: date | None,
    ) -> _DossierPlan | None:
        """The dossier's values, clocked with its pauses after this row; None when nothing changed."""
        pauses = dict(stored_pauses)
        self._supplement(source, row, pauses)
        self._suspension(row, pauses)
        new_pauses = [_pause(key, ended) for key, ended in pauses.items() if key not in stored_pauses]
        changed_pauses = [
            _pause(key, ended)
            for key, ended in pauses.items()
            if key in stored_pauses and stored_pauses[key] != ended
        ]
        moved = new_pauses or changed_pauses
        supplements = sum(kind == SUPPLEMENT for kind, _ in pauses)
        derived = self._derive(row, pauses, extension, supplements)
        self._flag_late_appointment(source, row, derived)
        values = _dossier_values(row, derived, supplements, self.ctx.now)
        if record is not None and not moved and not _differs(record, values, DOSSIER_COMPARED):
            return None
        changed_status = record is None or record["status"] != values["status"]
        since = _status_since(row, self.ctx.now) if changed_status else None
        return _DossierPlan(record["id"] if record else None, values, new_pauses, changed_pauses, since)

    def _supplement(
        self, source: SourceRow, row: DossierRow, pauses: dict[PauseKey, datetime | None]
    ) -> None:
        """NgayYeuCauBoSung/NgayCongDanBoSung -> one 'supplement' pause, keyed by its request time.

        An earlier request still open ends at this one (the citizen must have answered before the
        agency could ask again). A request the export leaves unanswered although the dossier has
        left state 5 would freeze the clock of a dossier being processed again, so it is taken as
        answered at the end of processing, or for an open dossier at the request itself (no pause
        credited until the source system records NgayCongDanBoSung), with a warning.
        """
        requested = row.supplement_requested_at
        if requested is None:
            return
        for (kind, started), end in list(pauses.items()):
            if kind == SUPPLEMENT and end is None and started < requested:
                pauses[(kind, started)] = requested
        supplied = row.supplement_supplied_at
        if supplied is None and row.status is not Status.AWAITING_SUPPLEMENT:
            supplied = max(requested, row.finished_at or requested)
            self.ctx.tally.warn(
                source.line,
                f"MaHoSo '{row.code}'",
                Problem(
                    f"có NgayYeuCauBoSung nhưng thiếu NgayCongDanBoSung dù trạng thái là {row.status.code}; "
                    f"coi như đã bổ sung lúc {supplied.isoformat()}",
                    f"NgayYeuCauBoSung without NgayCongDanBoSung although the state is {row.status.code}; "
                    f"taken as supplied at {supplied.isoformat()}",
                ),
            )
        pauses[(SUPPLEMENT, requested)] = supplied

    def _suspension(self, row: DossierRow, pauses: dict[PauseKey, datetime | None]) -> None:
        """State 6 stops the clock only for procedures that pause on payment (domain.md 1.6)."""
        open_keys = [key for key, ended in pauses.items() if key[0] == SUSPENSION and ended is None]
        if row.status is Status.SUSPENDED and row.procedure.pause_on_payment:
            if not open_keys:
                pauses[(SUSPENSION, self.ctx.now)] = None  # the export carries no time for entering state 6
            return
        finished = row.status in FINISHED_STATUSES and row.finished_at is not None
        for key in open_keys:
            pauses[key] = max(key[1], row.finished_at if finished and row.finished_at else self.ctx.now)

    def _derive(
        self,
        row: DossierRow,
        pauses: Mapping[PauseKey, datetime | None],
        extension: date | None,
        supplements: int,
    ) -> Derived | None:
        if not row.clocked:
            return None
        assert row.received_at is not None
        return derive(
            self.ctx.clock,
            DossierClock(
                received_at=row.received_at,
                time_unit=row.procedure.time_unit,
                time_value=row.procedure.time_value,
                status=row.status,
                appointment_due_at=row.appointment_due_at,
                finished_at=row.finished_at,
                pauses=tuple((started, ended) for (_, started), ended in pauses.items()),
                extension_date=extension,
                supplement_count=supplements,
            ),
        )

    def _flag_late_appointment(self, source: SourceRow, row: DossierRow, derived: Derived | None) -> None:
        """An appointment later than the law allows is kept (it is what the citizen was told) but flagged."""
        appointment = row.appointment_due_at
        if derived is None or appointment is None or appointment <= derived.statutory_due_at:
            return
        self.ctx.tally.warn(
            source.line,
            f"MaHoSo '{row.code}'",
            Problem(
                f"NgayHenTra {appointment.isoformat()} muộn hơn hạn theo luật "
                f"{derived.statutory_due_at.isoformat()} (vẫn giữ, đánh dấu để kiểm tra)",
                f"NgayHenTra {appointment.isoformat()} is later than the statutory due "
                f"{derived.statutory_due_at.isoformat()} (kept, flagged)",
            ),
        )

    def _stored(self, codes: list[str]) -> dict[str, Mapping[str, Any]]:
        columns = [Dossier.__table__.c[name] for name in ("id", "code", *DOSSIER_COMPARED)]
        stored: dict[str, Mapping[str, Any]] = {}
        for chunk in _chunks(codes):
            for record in self.conn.execute(select(*columns).where(Dossier.code.in_(chunk))).mappings():
                stored[record["code"]] = record
        return stored

    def _pauses(self, ids: list[int]) -> dict[int, dict[PauseKey, datetime | None]]:
        result: dict[int, dict[PauseKey, datetime | None]] = {}
        for chunk in _chunks(ids):
            stmt = select(Pause.dossier_id, Pause.kind, Pause.started_at, Pause.ended_at).where(
                Pause.dossier_id.in_(chunk)
            )
            for dossier_id, kind, started, ended in self.conn.execute(stmt):
                result.setdefault(dossier_id, {})[(kind, started)] = ended
        return result

    def _first_letters(self, ids: list[int]) -> dict[int, date]:
        """The first apology letter's new date: the law allows re-scheduling only once."""
        result: dict[int, date] = {}
        for chunk in _chunks(ids):
            stmt = (
                select(ApologyLetter.dossier_id, ApologyLetter.new_due_date)
                .where(ApologyLetter.dossier_id.in_(chunk))
                .order_by(ApologyLetter.issued_at, ApologyLetter.id)
            )
            for dossier_id, new_due in self.conn.execute(stmt):
                result.setdefault(dossier_id, new_due)
        return result

    def _applicants(self, ids: list[int]) -> dict[int, Mapping[str, Any]]:
        stored: dict[int, Mapping[str, Any]] = {}
        for chunk in _chunks(ids):
            for record in self.conn.execute(
                select(Applicant).where(Applicant.dossier_id.in_(chunk))
            ).mappings():
                stored[record["dossier_id"]] = record
        return stored

    def _write(self, plans: list[_DossierPlan]) -> dict[str, int]:
        """Dossiers first (new ones get their ids), then their pauses and status changes; returns
        the ids of the dossiers written, by code.

        Before a stored dossier changes, the (unit, day) slices it counts in are noted: its new
        unit or dates cannot name the slices it leaves, and the rollup refresh needs them.
        """
        changed = [plan.dossier_id for plan in plans if plan.dossier_id is not None]
        self.ctx.touched.slices_before.update(rollups.slices_of(self.conn, changed))
        _upsert(
            self.conn,
            Dossier.__table__,
            ["code"],
            DOSSIER_UPDATED,
            new=sorted((plan.values for plan in plans if plan.dossier_id is None), key=_code),
            changed=[plan.values for plan in plans if plan.dossier_id is not None],
        )
        ids = {plan.values["code"]: plan.dossier_id for plan in plans if plan.dossier_id is not None}
        ids.update(
            _dossier_ids(self.conn, [plan.values["code"] for plan in plans if plan.dossier_id is None])
        )
        self.ctx.touched.dossier_ids.update(ids.values())
        _upsert(
            self.conn,
            Pause.__table__,
            ["dossier_id", "kind", "started_at"],
            ["ended_at"],
            new=[
                {**pause, "dossier_id": ids[plan.values["code"]]}
                for plan in plans
                for pause in plan.new_pauses
            ],
            changed=[
                {**pause, "dossier_id": ids[plan.values["code"]]}
                for plan in plans
                for pause in plan.changed_pauses
            ],
        )
        history = [
            {
                "dossier_id": ids[plan.values["code"]],
                "status": plan.values["status"],
                "changed_at": plan.status_since,
            }
            for plan in plans
            if plan.status_since is not None
        ]
        _upsert(self.conn, StatusChange.__table__, ["dossier_id", "changed_at", "status"], [], new=history)
        return ids


APPLICANT_FIELDS = ("full_name", "id_number", "phone", "address")


def _applicant_values(stored: Mapping[str, Any] | None, row: ApplicantRow | None) -> dict[str, Any] | None:
    """The applicant to write, or None when nothing changes (docs/import.md, "Personal data").

    A cell left empty keeps what is stored: exports that leave personal data out (or a column
    some vendors do not fill) never erase it.
    """
    if row is None:
        return None
    values = {
        name: getattr(row, name) if getattr(row, name) is not None else (stored[name] if stored else None)
        for name in APPLICANT_FIELDS
    }
    if stored is not None and all(stored[name] == values[name] for name in APPLICANT_FIELDS):
        return None
    return values


def _code(values: Mapping[str, Any]) -> str:
    """Rows are inserted in code order: each page of the unique index is then touched once a batch."""
    return str(values["code"])


def _pause(key: PauseKey, ended: datetime | None) -> dict[str, Any]:
    return {"kind": key[0], "started_at": key[1], "ended_at": ended, "reason": None}


DOSSIER_UPDATED = (*DOSSIER_COMPARED, "updated_at")


def _dossier_values(
    row: DossierRow, derived: Derived | None, supplements: int, now: datetime
) -> dict[str, Any]:
    return {
        "code": row.code,
        "unit_id": row.unit_id,
        "procedure_id": row.procedure.id,
        "sector_id": row.procedure.sector_id,
        "channel": str(row.channel),
        "received_at": row.received_at,
        "statutory_due_at": derived.statutory_due_at if derived else None,
        "appointment_due_at": derived.appointment_due_at if derived else row.appointment_due_at,
        "due_at": derived.due_at if derived else None,
        "status": str(row.status),
        "finished_at": row.finished_at,
        "returned_at": row.returned_at,
        "outcome": derived.outcome if derived else None,
        "handler_id": row.handler_id,
        "supplement_count": supplements,
        "digitized_components": row.digitized_components,
        "digitized_result": row.digitized_result,
        "paid_online": row.paid_online,
        "updated_at": now,
    }


def _status_since(row: DossierRow, now: datetime) -> datetime:
    """The best known time the dossier entered its current state (the export has no per-state times)."""
    if row.status is Status.RETURNED and row.returned_at is not None:
        return row.returned_at
    if row.status in FINISHED_STATUSES:
        return row.finished_at or now
    if row.status is Status.AWAITING_SUPPLEMENT:
        return row.supplement_requested_at or now
    if row.status in (Status.RECEIVED, Status.PROCESSING):
        return row.received_at or now
    return now


# --- steps and ratings -----------------------------------------------------------------------------
class StepLoader:
    COMPARED = ("unit_id", "handler_id", "started_at", "ended_at", "due_at")

    def __init__(self, conn: Connection, ctx: _Context) -> None:
        self.conn, self.ctx = conn, ctx
        self.refs = load_references(conn)
        self.duplicates = _Duplicates()

    def load(self, batch: list[SourceRow]) -> None:
        dossiers = _dossier_ids(self.conn, [source.cells.get("MaHoSo", "") for source in batch])
        stored = self._stored(list(dossiers.values()))
        new: list[dict[str, Any]] = []
        changed: list[dict[str, Any]] = []
        for source in batch:
            try:
                row = parse_step(Cells(source.cells), self.refs, dossiers)
            except RowRejected as rejected:
                self.ctx.tally.reject(source, rejected.problems)
                continue
            key = (row.dossier_id, str(row.step))
            first = self.duplicates.first_line(key, source.line)
            if first is not None:
                what = f"MaHoSo '{source.cells['MaHoSo']}' + BuocXuLy '{source.cells['BuocXuLy']}'"
                self.ctx.tally.reject(source, [duplicate_key(what, first)])
                continue
            values = {
                "dossier_id": row.dossier_id,
                "step": str(row.step),
                "unit_id": row.unit_id,
                "handler_id": row.handler_id,
                "started_at": row.started_at,
                "ended_at": row.ended_at,
                "due_at": row.due_at,
            }
            differs = _differs(stored.get(key), values, self.COMPARED)
            self.ctx.tally.count(new=key not in stored, changed=differs)
            if differs:
                (changed if key in stored else new).append(values)
        _upsert(
            self.conn, DossierStep.__table__, ["dossier_id", "step"], self.COMPARED, new=new, changed=changed
        )

    def finish(self) -> None:
        return None

    def _stored(self, ids: list[int]) -> dict[tuple[int, str], Mapping[str, Any]]:
        stored: dict[tuple[int, str], Mapping[str, Any]] = {}
        for chunk in _chunks(ids):
            for record in self.conn.execute(
                select(DossierStep).where(DossierStep.dossier_id.in_(chunk))
            ).mappings():
                stored[(record["dossier_id"], record["step"])] = record
        return stored


class RatingLoader:
    COMPARED = ("score", "channel", "comment")

    def __init__(self, conn: Connection, ctx: _Context) -> None:
        self.conn, self.ctx = conn, ctx
        self.duplicates = _Duplicates()

    def load(self, batch: list[SourceRow]) -> None:
        dossiers = _dossier_ids(self.conn, [source.cells.get("MaHoSo", "") for source in batch])
        stored = self._stored(list(dossiers.values()))
        new: list[dict[str, Any]] = []
        changed: list[dict[str, Any]] = []
        for source in batch:
            try:
                row = parse_rating(Cells(source.cells), dossiers)
            except RowRejected as rejected:
                self.ctx.tally.reject(source, rejected.problems)
                continue
            key = (row.dossier_id, row.rated_at)
            first = self.duplicates.first_line(key, source.line)
            if first is not None:
                what = f"MaHoSo '{source.cells['MaHoSo']}' + NgayDanhGia '{source.cells['NgayDanhGia']}'"
                self.ctx.tally.reject(source, [duplicate_key(what, first)])
                continue
            values = {
                "dossier_id": row.dossier_id,
                "score": row.score,
                "channel": row.channel,
                "rated_at": row.rated_at,
                "comment": row.comment,
            }
            differs = _differs(stored.get(key), values, self.COMPARED)
            self.ctx.tally.count(new=key not in stored, changed=differs)
            if differs:
                (changed if key in stored else new).append(values)
        _upsert(
            self.conn, Rating.__table__, ["dossier_id", "rated_at"], self.COMPARED, new=new, changed=changed
        )
        self.ctx.touched.dossier_ids.update(values["dossier_id"] for values in (*new, *changed))

    def finish(self) -> None:
        return None

    def _stored(self, ids: list[int]) -> dict[tuple[int, datetime], Mapping[str, Any]]:
        stored: dict[tuple[int, datetime], Mapping[str, Any]] = {}
        for chunk in _chunks(ids):
            for record in self.conn.execute(select(Rating).where(Rating.dossier_id.in_(chunk))).mappings():
                stored[(record["dossier_id"], record["rated_at"])] = record
        return stored


LOADERS: dict[str, type[_Loader]] = {
    "units": UnitLoader,
    "procedures": ProcedureLoader,
    "officials": OfficialLoader,
    "dossiers": DossierLoader,
    "steps": StepLoader,
    "ratings": RatingLoader,
}
