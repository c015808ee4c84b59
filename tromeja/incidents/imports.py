"""Import of incident reports from CSV and XLSX files.

One row is one report. The file is checked row by row first; then either the
whole file is written or nothing is (mode "all"), or the valid rows are
written and the rejected ones are returned as a file with the reasons (mode
"valid"). The rows are written in short blocks, unseen until the last one is
in, then shown at once (`services.stage_new_incidents`, `publish_staged`).
Every report goes through the same checks as the form and the API
(`services.prepare_incident`).

Spreadsheet formulas are refused, in XLSX formula cells and in any cell that
starts like a formula, because the data is later exported and reopened in
spreadsheet programs.

Lists inside a cell: items are separated by ";" and the parts of an item by
"|", e.g. counts "AF|m|adult|12;SY|f|minor|3|2".
"""

import csv
import io
import os
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tromeja.core import jobs
from tromeja.core.choices import (
    DataSubjectCategory,
    Distribution,
    HandlingCode,
    InformationAccuracy,
    SourceReliability,
)
from tromeja.core.exports import safe_cell
from tromeja.core.models import Job, Unit
from tromeja.core.roles import Perm
from tromeja.geography.locate import locate_many
from tromeja.incidents import services
from tromeja.incidents.choices import (
    AgeGroup,
    Confidence,
    CrossingMode,
    DetectionMethod,
    Direction,
    DocumentType,
    ImpactLevel,
    IncidentType,
    PersonRole,
    Sex,
    Stage,
    Transport,
)

KIND = "incident_import"
MODES = ("all", "valid")
MAX_ROWS = 200_000
# What a real sheet holds bounds the work before anything is read into memory.
# Excel's own limits: 32,767 characters in a cell, 1,048,576 rows.
MAX_CELL_CHARS = 32_767
SHEET_ROWS = 1_048_576
# The template has fewer columns; a sheet for import never needs more.
MAX_COLUMNS = 100
# Parts of an XLSX file, once unpacked: the shared strings are held in memory
# whole, the sheet is read as a stream, the rest (styles, workbook) are small.
MAX_SHARED_STRINGS_BYTES = 96 * 1024 * 1024
MAX_SHEET_BYTES = 512 * 1024 * 1024
MAX_PART_BYTES = 16 * 1024 * 1024
# Values quoted in messages are cut to this many characters.
EXCERPT = 40
ITEM_SEPARATOR = ";"
PART_SEPARATOR = "|"
# Stored errors shown on the page; the full list is in the errors file.
SHOWN_ERRORS = 200

CHOICES = {
    "type": IncidentType,
    "detection_method": DetectionMethod,
    "transport": Transport,
    "stage": Stage,
    "crossing_mode": CrossingMode,
    "direction": Direction,
    "impact_level": ImpactLevel,
    "confidence": Confidence,
    "handling_code": HandlingCode,
    "source_reliability": SourceReliability,
    "information_accuracy": InformationAccuracy,
    "distribution": Distribution,
}
REQUIRED = (
    "type",
    "occurred_at",
    "aware_at",
    "latitude",
    "longitude",
    "detection_method",
    "transport",
    "impact_level",
    "confidence",
)
# Every other field of a report, then its lists, its sharing and its links.
OPTIONAL = (
    *(name for name in services.FIELDS if name not in REQUIRED),
    *("counts", "persons", "vehicles", "phones", "documents"),
    *("distribution", "shared_with", "border_section", "location_override_reason"),
    *("follows", "related"),
)
COLUMNS = REQUIRED + OPTIONAL

# What each list column holds, for the page and the template.
LIST_FORMATS = {
    "counts": gettext_lazy("nationality|sex|age group|count|unaccompanied minors"),
    "persons": gettext_lazy("role|category|surname|given names|date of birth|nationality"),
    "vehicles": gettext_lazy("plate|registration country|make|model|colour"),
    "phones": gettext_lazy("number"),
    "documents": gettext_lazy("type|issuing country|number|fraudulent (yes/no)"),
}
EXAMPLE = {
    "type": "irregular_crossing",
    "occurred_at": "2026-03-14 02:30",
    "aware_at": "2026-03-14 03:10",
    "latitude": "45.4731",
    "longitude": "15.3142",
    "detection_method": "surveillance",
    "transport": "on_foot",
    "impact_level": "medium",
    "confidence": "confirmed",
    "place_name": "Vinica",
    "stage": "actual",
    "crossing_mode": "clandestine",
    "direction": "entry",
    "evasion": "no",
    "embarkation_country": "HR",
    "destination_country": "IT",
    "persons_total": "14",
    "counts": "AF|m|adult|10;AF|m|minor|4|2",
    "persons": "",
    "vehicles": "",
    "phones": "",
    "documents": "",
    "narrative": "Group of 14 apprehended 300 m from the border line.",
    "handling_code": "H0",
    "distribution": "national",
}
TRUE = {"1", "yes", "true", "da", "sì", "si", "x", "ja", "y"}
FALSE = {"", "0", "no", "false", "ne", "n"}
DATE_TIME_FORMATS = (
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y. %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y. %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
)
DATE_FORMATS = ("%d.%m.%Y", "%d.%m.%Y.", "%d/%m/%Y")
# A cell that a spreadsheet program would run: "=...", "@...", or "+"/"-"
# followed by anything but a number or a phone number.
_NUMBERISH = re.compile(r"^[+-][\d\s().,;/-]*$")

ENCODING_LABELS = {
    "utf-8-sig": gettext_lazy("UTF-8 with byte-order mark"),
    "utf-8": gettext_lazy("UTF-8"),
    "cp1250": gettext_lazy("Windows-1250 (Central European)"),
    "xlsx": gettext_lazy("Excel workbook (XLSX)"),
}


class FileRefused(Exception):
    """The file as a whole cannot be read: nothing in it is imported."""


@dataclass
class Table:
    encoding: str  # a key of ENCODING_LABELS
    header: list[str]
    rows: list[tuple[int, list]]  # (line number in the file, cells)
    delimiter: str = ","


# --- Reading the file -----------------------------------------------------------


def looks_like_formula(text: str) -> bool:
    text = text.lstrip("\t\r\n ")
    if not text:
        return False
    if text[0] in "=@":
        return True
    return text[0] in "+-" and not _NUMBERISH.match(text)


def read_table(data: bytes) -> Table:
    if not data.strip():
        raise FileRefused(_("The file is empty."))
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused(_("Old Excel files (.xls) are not read: save the sheet as XLSX or CSV."))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRefused(
            _("The file is in UTF-16: save it as CSV in UTF-8 or Windows-1250, or as XLSX.")
        )
    if b"\x00" in data[:4096]:
        raise FileRefused(_("This is not a CSV or XLSX file."))
    nul = data.find(b"\x00")
    if nul >= 0:
        raise FileRefused(
            _("Row %(row)d holds a NUL byte, which a CSV file cannot hold: save it again as CSV.")
            % {"row": data.count(b"\n", 0, nul) + 1}
        )
    if data.startswith(b"\xef\xbb\xbf"):
        encoding, text = "utf-8-sig", data[3:].decode("utf-8", errors="strict")
    else:
        try:
            encoding, text = "utf-8", data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                encoding, text = "cp1250", data.decode("cp1250")
            except UnicodeDecodeError as exc:
                raise FileRefused(
                    _("The file is neither UTF-8 nor Windows-1250 text (byte %(at)d).")
                    % {"at": exc.start + 1}
                ) from None
    first_line = text.split("\n", 1)[0]
    # Slovenian, Croatian and Italian Excel write ";" between columns.
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    lines = []
    try:
        # Numbers are the rows as a spreadsheet shows them, blank ones included.
        for number, cells in enumerate(reader, start=1):
            if any(len(cell) > MAX_CELL_CHARS for cell in cells):
                raise FileRefused(_cell_too_long(number))
            lines.append((number, cells))
    except csv.Error as exc:
        number = len(lines) + 1
        if "field larger than field limit" in str(exc):
            raise FileRefused(_cell_too_long(number)) from None
        raise FileRefused(
            _("The CSV file is malformed near row %(row)d: check its quotation marks.")
            % {"row": number}
        ) from None
    return _table(encoding, lines, delimiter)


def _cell_too_long(row: int) -> str:
    return _(
        "Row %(row)d holds more than %(max)d characters in one cell, more than a "
        "spreadsheet cell holds."
    ) % {"row": row, "max": MAX_CELL_CHARS}


def _excerpt(value, length: int = EXCERPT) -> str:
    """A value as quoted in a message: its start only."""
    text = _text(value)
    return text if len(text) <= length else text[:length].rstrip() + "…"


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    _check_workbook(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:
        raise FileRefused(_("The workbook cannot be opened: save it again as XLSX.")) from None
    try:
        sheet = book.worksheets[0]
        # The dimension the file declares ("A1:XFD1048576") is not trusted:
        # rows are read as they are, and no wider than MAX_COLUMNS (the
        # check above refused any value beyond).
        sheet.reset_dimensions()
        lines = []
        filled = 0
        blank = None
        for number, row in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS), start=1):
            # Rows missing from the file all come as one and the same row.
            if row is blank or not any(cell.value is not None for cell in row):
                blank = row
                continue
            cells = []
            for cell in row:
                if getattr(cell, "data_type", None) == "f":
                    column = getattr(cell, "column_letter", "?")
                    raise FileRefused(
                        _(
                            "Row %(row)d, column %(column)s holds a formula; "
                            "formulas are not imported. Paste the values instead."
                        )
                        % {"row": number, "column": column}
                    )
                cells.append(cell.value)
            while cells and cells[-1] is None:
                cells.pop()
            lines.append((number, cells))
            filled += 1
            if filled > MAX_ROWS + 1:
                break
    except FileRefused:
        raise
    except Exception:
        raise FileRefused(_("The workbook cannot be opened: save it again as XLSX.")) from None
    finally:
        book.close()
    return _table("xlsx", lines, ",")


def _check_workbook(data: bytes):
    """Refuses a workbook whose parts, once unpacked, hold more than a real
    sheet does, before openpyxl materialises any of them: the size of every
    part (its declared size bounds what unpacking yields), and then, read as
    a stream, every text of its XML parts (at most a cell's 32,767
    characters), the rows and the columns of the sheets."""
    from tromeja.core import ziplimits

    unreadable = FileRefused(_("The workbook cannot be opened: save it again as XLSX."))
    try:
        archive = ziplimits.open_bounded(io.BytesIO(data))
    except ziplimits.ZipRefused:
        raise unreadable from None
    with archive:
        for info in archive.infolist():
            name = info.filename.lower()
            if name.startswith("xl/worksheets/"):
                most = MAX_SHEET_BYTES
            elif name.endswith("sharedstrings.xml"):
                most = MAX_SHARED_STRINGS_BYTES
            else:
                most = MAX_PART_BYTES
            if info.file_size > most:
                raise FileRefused(
                    _(
                        "The workbook is too large once unpacked (%(size)d MB in “%(part)s”, "
                        "at most %(max)d MB): split it into smaller files."
                    )
                    % {
                        "size": info.file_size // (1024 * 1024),
                        "part": _excerpt(info.filename),
                        "max": most // (1024 * 1024),
                    }
                )
            # Every part that is XML, whatever its name: openpyxl finds the
            # parts it reads by their content type, not by their name.
            try:
                with archive.open(info) as stream:
                    head = stream.read(64)
                    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
                        raise unreadable  # XML in UTF-16, which no spreadsheet writes
                    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
                        _XmlBounds().scan(stream, head)
            except FileRefused:
                raise
            except Exception:
                raise unreadable from None


class _XmlBounds:
    """Reads one XML part as a stream (expat, in pieces of 1 MB) and refuses
    it at the first text longer than a cell holds, row beyond a sheet's last
    row, or value beyond MAX_COLUMNS. Nothing of it is kept."""

    def __init__(self):
        from xml.parsers import expat

        self.parser = expat.ParserCreate()
        self.parser.buffer_text = False
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.text
        self.row = 0
        self.column = 0
        self.in_cell = False
        self.length = 0  # characters of the current cell, string or text

    def scan(self, stream, head: bytes = b""):
        self.parser.Parse(head, False)
        while block := stream.read(1 << 20):
            self.parser.Parse(block, False)
        self.parser.Parse(b"", True)

    def start(self, name, attrs):
        name = name.rpartition(":")[2]
        if name == "row":
            self.row = int(attrs["r"]) if "r" in attrs else self.row + 1
            self.column = 0
            if self.row > SHEET_ROWS:
                raise FileRefused(_("The workbook cannot be opened: save it again as XLSX."))
        elif name == "c":
            reference = attrs.get("r", "")
            letters = reference.rstrip("0123456789")
            self.column = _column_index(letters) if letters else self.column + 1
            self.in_cell = True
            self.length = 0
        elif name == "si":
            self.in_cell = True
            self.length = 0
        elif not self.in_cell:
            self.length = 0

    def end(self, name):
        name = name.rpartition(":")[2]
        if name in {"c", "si"}:
            self.in_cell = False
        if not self.in_cell:
            self.length = 0

    def text(self, data):
        self.length += len(data)
        if self.length > MAX_CELL_CHARS:
            if self.row and self.column:
                raise FileRefused(_cell_too_long(self.row))
            raise FileRefused(
                _(
                    "The workbook holds a text of more than %(max)d characters, more than a "
                    "spreadsheet cell holds."
                )
                % {"max": MAX_CELL_CHARS}
            )
        if self.in_cell and self.column > MAX_COLUMNS and data.strip():
            from openpyxl.utils import get_column_letter

            raise FileRefused(
                _(
                    "Row %(row)d holds a value in column %(column)s; an import reads at most "
                    "%(max)d columns."
                )
                % {
                    "row": self.row,
                    "column": get_column_letter(min(self.column, 18_278)),
                    "max": MAX_COLUMNS,
                }
            )


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters.upper():
        if not "A" <= letter <= "Z":
            return 0
        index = index * 26 + ord(letter) - 64
    return index


def _table(encoding: str, lines: list[tuple[int, list]], delimiter: str) -> Table:
    """`lines` are (row number in the file, cells); blank rows are skipped
    but keep their number, so errors name the row the spreadsheet shows."""
    lines = [(number, line) for number, line in lines if any(_text(c) for c in line)]
    if not lines:
        raise FileRefused(_("The file is empty."))
    header = [_text(c).strip().lower() for c in lines[0][1]]
    while header and not header[-1]:
        header.pop()
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        shown = ", ".join(_excerpt(h) for h in unknown[:10]) + (", …" if len(unknown) > 10 else "")
        raise FileRefused(
            _("Unknown columns: %(columns)s. The template lists the columns that are read.")
            % {"columns": shown}
        )
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise FileRefused(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    doubled = sorted({h for h in header if header.count(h) > 1})
    if doubled:
        raise FileRefused(_("Columns given twice: %(columns)s.") % {"columns": ", ".join(doubled)})
    if len(lines) - 1 > MAX_ROWS:
        raise FileRefused(_("The file has more than %(max)d rows: split it.") % {"max": MAX_ROWS})
    rows = lines[1:]
    if not rows:
        raise FileRefused(_("The file has a header but no rows."))
    return Table(encoding, header, rows, delimiter)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- Reading one row ------------------------------------------------------------


class _RowErrors:
    def __init__(self):
        self.items: list[tuple[str, str]] = []

    def add(self, column: str, message: str):
        self.items.append((column, _bounded(message)))


def _bounded(message) -> str:
    """A message as stored with the job and shown on the page: a value it
    quotes may come whole from the file (from the service's checks too)."""
    message = str(message)
    return message if len(message) <= 500 else message[:500].rstrip() + "…"


def _lookup(choices) -> dict[str, str]:
    """Code or label in any of the node's languages -> code, without case."""
    lookup = {}
    for value, label in choices.choices:
        lookup[value.lower()] = value
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                lookup.setdefault(str(label).strip().lower(), value)
    return lookup


def _choice_lookup() -> dict[str, dict[str, str]]:
    return {column: _lookup(choices) for column, choices in CHOICES.items()}


class RowReader:
    def __init__(self, user, header: list[str]):
        self.user = user
        self.header = header
        self.tz = ZoneInfo(user.zone_name or settings.TIME_ZONE)
        self.choices = _choice_lookup()
        self.codes = {
            c: _lookup(c) for c in (Sex, AgeGroup, PersonRole, DataSubjectCategory, DocumentType)
        }
        self.units = dict(Unit.objects.values_list("code", "pk"))

    def read(self, cells: list) -> tuple[dict | None, list[tuple[str, str]]]:
        """The keyword arguments of `services.prepare_incident`, or errors."""
        errors = _RowErrors()
        values = {}
        for index, column in enumerate(self.header):
            value = cells[index] if index < len(cells) else None
            if isinstance(value, str):
                value = value.strip()
                if looks_like_formula(value):
                    message = _("Formulas are not imported (the cell starts with “%(c)s”).")
                    errors.add(column, message % {"c": value[0]})
                    continue
            values[column] = value
        if len(cells) > len(self.header) and any(_text(c) for c in cells[len(self.header) :]):
            errors.add("", _("The row has more cells than the header has columns."))
        args: dict = {}
        for column in REQUIRED:
            if _text(values.get(column)).strip() == "":
                errors.add(column, _("This column is required."))
        for column, lookup in self.choices.items():
            text = _text(values.get(column)).strip()
            if not text:
                continue
            code = lookup.get(text.lower())
            if code is None:
                errors.add(
                    column,
                    _("“%(value)s” is not one of: %(codes)s.")
                    % {"value": _excerpt(text), "codes": ", ".join(CHOICES[column].values)},
                )
            else:
                args[column] = code
        for column in ("occurred_at", "aware_at"):
            if column in values and _text(values[column]).strip():
                args[column] = self._datetime(values[column], column, errors)
        for column in ("latitude", "longitude"):
            if column in values and _text(values[column]).strip():
                args[column] = self._number(values[column], column, errors)
        if _text(values.get("persons_total")).strip():
            total = self._number(values["persons_total"], "persons_total", errors)
            if total is not None:
                if total != int(total) or total < 0:
                    errors.add("persons_total", _("Counts are whole numbers."))
                else:
                    args["persons_total"] = int(total)
        if "evasion" in values:
            text = _text(values["evasion"]).strip().lower()
            if text in TRUE:
                args["evasion"] = True
            elif text in FALSE:
                args["evasion"] = False
            else:
                errors.add("evasion", _("Write yes or no."))
        for column in (
            "place_name",
            "narrative",
            "handling_note",
            "embarkation_country",
            "destination_country",
            "border_section",
            "location_override_reason",
        ):
            if column in values:
                args[column] = _text(values[column]).strip()
        if _text(values.get("review_by")).strip():
            args["review_by"] = self._date(values["review_by"], "review_by", errors)
        section = args.pop("border_section", "")
        reason = args.pop("location_override_reason", "")
        distribution = args.pop("distribution", Distribution.NATIONAL)
        shared = [c.strip().upper() for c in _text(values.get("shared_with")).split(";")]
        related = [r.strip() for r in _text(values.get("related")).split(ITEM_SEPARATOR)]
        entities = services.Entities(
            counts=self._items(
                values,
                "counts",
                ("nationality", "sex", "age_group", "count", "unaccompanied"),
                errors,
            ),
            persons=self._items(
                values,
                "persons",
                ("role", "category", "surname", "given_names", "date_of_birth", "nationality"),
                errors,
            ),
            vehicles=self._items(
                values,
                "vehicles",
                ("plate", "registration_country", "make", "model", "colour"),
                errors,
            ),
            phones=self._items(values, "phones", ("number",), errors),
            documents=self._items(
                values, "documents", ("type", "issuing_country", "number", "fraudulent"), errors
            ),
        )
        if errors.items:
            return None, errors.items
        return {
            **args,
            "entities": entities,
            "distribution": distribution,
            "shared_with": [c for c in shared if c],
            "section_code": section,
            "override_reason": reason,
            "follows": _text(values.get("follows")).strip() or None,
            "related": [r for r in related if r],
            "units": self.units,
        }, []

    def _datetime(self, value, column, errors):
        if isinstance(value, datetime):
            parsed = value
        elif isinstance(value, date):
            parsed = datetime(value.year, value.month, value.day)
        else:
            text = _text(value).strip()
            parsed = None
            try:
                parsed = datetime.fromisoformat(text)
            except ValueError:
                for fmt in DATE_TIME_FORMATS:
                    try:
                        parsed = datetime.strptime(text, fmt)
                        break
                    except ValueError:
                        continue
            if parsed is None:
                message = _(
                    "“%(value)s” is not a date and time (e.g. 2026-03-14 02:30 or 14.3.2026 02:30)."
                )
                errors.add(column, message % {"value": _excerpt(text)})
                return None
        if timezone.is_naive(parsed):
            # Times without a zone are the importing officer's local time.
            parsed = parsed.replace(tzinfo=self.tz)
        return parsed

    def _date(self, value, column, errors):
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = _text(value).strip()
        try:
            return date.fromisoformat(text)
        except ValueError:
            for fmt in DATE_FORMATS:
                try:
                    return datetime.strptime(text, fmt).date()
                except ValueError:
                    continue
        errors.add(
            column, _("“%(value)s” is not a date (e.g. 2026-03-14).") % {"value": _excerpt(text)}
        )
        return None

    def _number(self, value, column, errors):
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        text = _text(value).strip().replace(" ", "")
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")  # decimal comma
        try:
            return float(Decimal(text))
        except (InvalidOperation, ValueError):
            errors.add(column, _("“%(value)s” is not a number.") % {"value": _excerpt(value)})
            return None

    def _code(self, choices, text: str) -> str:
        text = (text or "").strip().lower()
        return self.codes[choices].get(text, text)

    def _items(self, values, column, parts, errors) -> list[dict]:
        text = _text(values.get(column)).strip()
        if not text:
            return []
        items = []
        for position, item in enumerate(text.split(ITEM_SEPARATOR), start=1):
            if not item.strip():
                continue
            cells = [p.strip() for p in item.split(PART_SEPARATOR)]
            if len(cells) > len(parts):
                errors.add(
                    column,
                    _("Item %(n)d has %(got)d parts; at most %(max)d: %(format)s.")
                    % {
                        "n": position,
                        "got": len(cells),
                        "max": len(parts),
                        "format": str(LIST_FORMATS[column]),
                    },
                )
                continue
            row = dict(zip(parts, cells, strict=False))
            if column == "counts":
                row["sex"] = self._code(Sex, row.get("sex", ""))
                row["age_group"] = self._code(AgeGroup, row.get("age_group", ""))
            elif column == "persons":
                row["role"] = self._code(PersonRole, row.get("role", ""))
                row["category"] = self._code(DataSubjectCategory, row.get("category", ""))
            elif column == "documents":
                row["type"] = self._code(DocumentType, row.get("type", ""))
                row["fraudulent"] = (row.get("fraudulent") or "").lower() in TRUE
            items.append(row)
        return items


def _column_of(key: str) -> str:
    """The file's column for an error key of the service ("vehicles.0")."""
    head = key.split(".", 1)[0]
    if head == "__all__":
        return ""
    if head in {"owner_agency", "responsible_unit"}:
        return ""
    return head


def _item_note(key: str) -> str:
    head, _dot, index = key.partition(".")
    if index.isdigit():
        return _("item %(n)d") % {"n": int(index) + 1} + ": "
    return ""


# --- The job --------------------------------------------------------------------


def upload_path(job: Job) -> Path:
    return jobs.job_dir(job) / "upload"


def request_import(*, user, data: bytes, file_name: str, mode: str, submit: bool) -> Job:
    """Stores the uploaded file and queues the import."""
    if not user.has_perm_code(Perm.CREATE_RECORDS) or not user.unit_id:
        raise PermissionDenied
    if mode not in MODES:
        raise ValidationError({"mode": _("Choose how to import.")})
    from tromeja.incidents.tasks import run_incident_import

    def enqueue(job_id):
        job = Job.objects.get(pk=job_id)
        upload_path(job).write_bytes(data)
        return run_incident_import.enqueue(job_id)

    return jobs.create(
        kind=KIND,
        user=user,
        params={
            "file_name": file_name[:200],
            "mode": mode,
            "submit": bool(submit),
            "size": len(data),
        },
        enqueue=enqueue,
    )


def run_import(job_id: int) -> Job:
    return jobs.run(job_id, _import)


def _import(job: Job, progress: jobs.Progress) -> dict:
    user = job.requested_by
    mode = job.params.get("mode", "all")
    result = {"file_name": job.params.get("file_name", ""), "mode": mode}
    progress.phase("reading")
    language = user.language or settings.LANGUAGE_CODE
    try:
        # Messages about the whole file are stored with the job as well.
        with translation.override(language):
            table = read_table(upload_path(job).read_bytes())
    except FileRefused as exc:
        return {
            **result,
            "outcome": "refused",
            "file_error": str(exc),
            "rows": 0,
            "imported": 0,
            "rejected": 0,
            "errors": [],
            "error_count": 0,
        }
    result["encoding"] = table.encoding
    reader = RowReader(user, table.header)
    prepared: list[services.Prepared] = []
    rejected: list[tuple[int, list, list[tuple[str, str]]]] = []
    progress.phase("checking", total=len(table.rows))
    with translation.override(language):
        checked = _check(user, reader, table.rows, progress)
        for (number, cells), (outcome, problems) in zip(table.rows, checked, strict=True):
            if problems:
                rejected.append((number, cells, problems))
            else:
                prepared.append(outcome)
        errors = [
            {"row": number, "column": column, "message": message}
            for number, _cells, problems in rejected
            for column, message in problems
        ]
    result.update(
        rows=len(table.rows),
        rejected=len(rejected),
        error_count=len(errors),
        errors=errors[:SHOWN_ERRORS],
    )
    if errors:
        _write_errors(job, errors)
        result["errors_file"] = "errors.csv"
    if rejected and mode == "all":
        return {**result, "outcome": "refused", "imported": 0}
    if rejected:
        result["rejected_file"] = _write_rejected(job, table, rejected)
    if prepared:
        progress.phase("saving", total=len(prepared))
        saved = _save(
            user, job, prepared, submit=job.params.get("submit", False), progress=progress
        )
        references = sorted(i.reference for i in saved)
        result.update(first_reference=references[0], last_reference=references[-1])
    outcome = "partial" if rejected else "imported"
    return {**result, "outcome": outcome if prepared else "nothing", "imported": len(prepared)}


def _save(user, job: Job, prepared, *, submit: bool, progress) -> list:
    """Writes the rows in blocks, each a short transaction, unseen until the
    last block is written; then shows them all at once. Whatever an earlier
    attempt of this job left (its worker was killed) is removed first, and
    what this attempt wrote is removed if it cannot finish: the file is
    imported whole or not at all, as if in one transaction, while the node's
    other writers wait a block at most, not the whole file."""
    services.discard_staged(user=user, job=job)
    try:
        saved = services.stage_new_incidents(
            user=user, prepared=prepared, job=job, submit=submit, progress=progress
        )
        services.publish_staged(user=user, job=job, incidents=saved, submit=submit)
    except BaseException:
        services.discard_staged(user=user, job=job)
        raise
    return saved


# Files of at least this many rows are checked by one process per core
# (starting the processes costs about a second).
PARALLEL_MIN_ROWS = 20_000
CHECK_WORKERS = 0  # 0: one per core, at most 8
_CHUNK = 2000


def _check(user, reader, rows, progress) -> list[tuple]:
    """(Prepared, []) or (None, [(column, message), ...]) for every row, in
    order. Checking is pure computation on the rows, so large files are
    split over the cores: worker processes check whole chunks and the parent
    collects the answers in order."""
    workers = CHECK_WORKERS or min(os.cpu_count() or 1, 8)
    if len(rows) < PARALLEL_MIN_ROWS or workers < 2:
        return _check_range(user, reader, rows, progress.step)
    from tromeja.core import procs

    # What the checks read from the user is loaded once, then sent along.
    user.perm_codes, user.country_code, user.unit.agency  # noqa: B018
    chunks = [(user, reader, rows[i : i + _CHUNK]) for i in range(0, len(rows), _CHUNK)]
    results: list[tuple] = []
    with procs.pool(workers, procs.parent_state()) as pool:
        for chunk in pool.imap(_check_chunk, chunks):
            results.extend(chunk)
            progress.step(len(results))
    return results


def _check_chunk(work: tuple) -> list[tuple]:
    """In a worker process: one chunk of rows."""
    user, reader, rows = work
    results = _check_range(user, reader, rows, None)
    for outcome, _problems in results:
        if outcome is not None:
            # The parent has the user: send back the ids, not a copy per report.
            for name in ("created_by", "updated_by"):
                outcome.incident._state.fields_cache.pop(name, None)
    return results


def _check_range(user, reader, rows, step) -> list[tuple]:
    read = [reader.read(cells) for _number, cells in rows]
    # Every place of the range in one pass over the border index.
    points = [
        (args["latitude"], args["longitude"])
        if args and "latitude" in args and "longitude" in args
        else (None, None)
        for args, _problems in read
    ]
    located = locate_many(points)
    results = []
    for n, (args, problems) in enumerate(read):
        outcome = None
        if args is not None:
            try:
                outcome = services.prepare_incident(
                    user=user, located=(points[n], located[n]), **args
                )
            except ValidationError as exc:
                problems = [
                    (_column_of(key), _bounded(_item_note(key) + message))
                    for key, messages in exc.message_dict.items()
                    for message in messages
                ]
        results.append((outcome, problems))
        if step is not None:
            step(n + 1)
    return results


def _write_errors(job: Job, errors: list[dict]):
    with (jobs.job_dir(job) / "errors.csv").open("w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow(["row", "column", "message"])
        for e in errors:
            writer.writerow([e["row"], e["column"], safe_cell(e["message"])])


def _write_rejected(job: Job, table: Table, rejected) -> str:
    """The rejected rows as they came, with the reasons in a last column, in
    the uploaded format; once fixed, the file can be imported again."""
    header = [*table.header, "errors"]

    def reasons(problems):
        return "; ".join(f"{c}: {m}" if c else m for c, m in problems)

    if table.encoding == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("rejected")
        sheet.append(header)
        for _number, cells, problems in rejected:
            row = [*(cells[: len(table.header)]), reasons(problems)]
            sheet.append([safe_cell(v) if isinstance(v, str) else v for v in row])
        name = "rejected.xlsx"
        book.save(jobs.job_dir(job) / name)
        return name
    name = "rejected.csv"
    encoding = "cp1250" if table.encoding == "cp1250" else "utf-8-sig"
    with (jobs.job_dir(job) / name).open(
        "w", newline="", encoding=encoding, errors="replace"
    ) as out:
        writer = csv.writer(out, delimiter=table.delimiter)
        writer.writerow(header)
        for _number, cells, problems in rejected:
            row = [_text(c) for c in cells[: len(table.header)]]
            # Rejected formulas are written back as text, never as formulas.
            writer.writerow([safe_cell(v) for v in row] + [safe_cell(reasons(problems))])
    return name


def template_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerow([EXAMPLE.get(c, "") for c in COLUMNS])
    return out.getvalue().encode("utf-8-sig")
