"""Hostile and broken import files: each is refused with a clear message in
the importer's language, and reading it stays far from the worker's memory.
The files are made here; the large ones are written compressed, so the test
files stay small."""

# ruff: noqa: E501 (the parts of a workbook are long XML lines)

import json
import subprocess
import sys
import zipfile

import pytest
from django.utils import translation

from tromeja import testing
from tromeja.incidents import imports
from tromeja.incidents.models import Incident
from tromeja.incidents.tests.test_imports import HEADER, csv_bytes, row, run_last_job, upload

MB = 1024 * 1024
MEMORY_LIMIT_MB = 500

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "{shared}</Types>"
)
_SHARED_TYPE = '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "{shared}</Relationships>"
)
_SHARED_REL = '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<dimension ref="{dimension}"/><sheetData>'
)
_SHEET_END = "</sheetData></worksheet>"


def _inline(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'


def _rows(rows: dict[int, list[str]]) -> str:
    """{row number: cell values} as sheet XML with inline strings."""
    from openpyxl.utils import get_column_letter

    return "".join(
        f'<row r="{number}">'
        + "".join(
            _inline(f"{get_column_letter(i)}{number}", v) for i, v in enumerate(cells, 1) if v
        )
        + "</row>"
        for number, cells in rows.items()
    )


def _valid_cells() -> tuple[list[str], list[str]]:
    values = row(1)
    return list(HEADER), [values[c] for c in HEADER]


def xlsx(path, *, sheet: str = "", dimension="A1", big_cell: int = 0, shared: int = 0) -> bytes:
    """A workbook written with zipfile: `sheet` is the rows' XML; `big_cell`
    adds an inline string of that many characters in A3, `shared` a shared
    string of that many characters; both are streamed, never held whole."""
    block = "A" * MB
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as book:
        book.writestr(
            "[Content_Types].xml", _CONTENT_TYPES.format(shared=_SHARED_TYPE if shared else "")
        )
        book.writestr("_rels/.rels", _RELS)
        book.writestr("xl/workbook.xml", _WORKBOOK)
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            _WORKBOOK_RELS.format(shared=_SHARED_REL if shared else ""),
        )
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            out.write(_SHEET_START.format(dimension=dimension).encode())
            out.write(sheet.encode())
            if big_cell:
                out.write(b'<row r="3"><c r="A3" t="inlineStr"><is><t>')
                for start in range(0, big_cell, MB):
                    out.write(block[: min(MB, big_cell - start)].encode())
                out.write(b"</t></is></c></row>")
            out.write(_SHEET_END.encode())
        if shared:
            with book.open("xl/sharedStrings.xml", "w", force_zip64=True) as out:
                out.write(
                    b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.'
                    b'openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
                    b"<si><t>"
                )
                for start in range(0, shared, MB):
                    out.write(block[: min(MB, shared - start)].encode())
                out.write(b"</t></si></sst>")
    return path.read_bytes()


def _read_in_a_fresh_process(path) -> dict:
    """Reads the file as the worker does, in a process of its own: what
    read_table answered and the process's peak memory."""
    code = f"""
import json, resource, django
resource.setrlimit(resource.RLIMIT_AS, (3 * 1024**3, 3 * 1024**3))
django.setup()
from tromeja.incidents import imports
try:
    table = imports.read_table(open({str(path)!r}, "rb").read())
    answer = {{"rows": [n for n, _cells in table.rows]}}
except imports.FileRefused as exc:
    answer = {{"refused": str(exc)}}
except MemoryError:
    answer = {{"refused": "MemoryError"}}
# The peak of this process's own memory (VmHWM: ru_maxrss would also count
# the parent's, which Linux keeps across exec).
try:
    with open("/proc/self/status") as status:
        hwm = next(line for line in status if line.startswith("VmHWM:"))
    answer["peak_mb"] = int(hwm.split()[1]) / 1024
except (OSError, StopIteration):
    answer["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(answer))
"""
    env = {"DJANGO_SETTINGS_MODULE": "tromeja.settings"}
    import os

    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **env},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _hostile(tmp_path):
    header, cells = _valid_cells()
    one_report = _rows({1: header, 2: cells})
    yield (
        "a declared dimension of A1:XFD1048576",
        # Its last, empty cell is where the declared dimension ends.
        xlsx(
            tmp_path / "dimension.xlsx",
            dimension="A1:XFD1048576",
            sheet=one_report + '<row r="1048576"><c r="XFD1048576"/></row>',
        ),
        None,
    )
    yield (
        "a 300 MB inline cell",
        xlsx(tmp_path / "inline.xlsx", sheet=one_report, dimension="A1:N3", big_cell=300 * MB),
        "Row 3",
    )
    yield (
        "a 300 MB shared string",
        xlsx(tmp_path / "shared.xlsx", sheet=one_report, dimension="A1:N2", shared=300 * MB),
        "once unpacked",
    )
    yield (
        "a value in column XFD",
        xlsx(
            tmp_path / "wide.xlsx",
            sheet=one_report + '<row r="3">' + _inline("XFD3", "x") + "</row>",
        ),
        "XFD",
    )
    yield (
        "a row beyond the last row of a sheet",
        xlsx(
            tmp_path / "tall.xlsx", sheet=one_report + '<row r="99999999"><c r="A99999999"/></row>'
        ),
        "cannot be opened",
    )
    disguised = tmp_path / "disguised.xlsx"
    xlsx(disguised, sheet=one_report)
    with zipfile.ZipFile(disguised, "a", compression=zipfile.ZIP_DEFLATED) as book:
        book.writestr("xl/strings.bin", "<sst><si><t>" + "A" * (8 * MB) + "</t></si></sst>")
    yield "an 8 MB text in a part not named as XML", disguised.read_bytes(), "32767"
    many = tmp_path / "many.xlsx"
    xlsx(many, sheet=one_report)
    with zipfile.ZipFile(many, "a") as book:
        for n in range(25_000):
            book.writestr(f"xl/media/{n:06d}-{'x' * 40}.bin", b"")
    yield "25,000 parts", many.read_bytes(), "cannot be opened"
    nul = csv_bytes([row(i) for i in range(40)]) + b"\x00"
    yield "a NUL byte after the first 4 KB of a CSV", nul, "NUL"
    yield "a CSV cell of 1.5 MB", b"type\n" + b"x" * (3 * MB // 2), "32767"


def test_every_hostile_file_is_refused_or_read_within_500_mb(tmp_path):
    for what, data, refused_with in _hostile(tmp_path):
        path = tmp_path / "upload"
        path.write_bytes(data)
        assert len(data) < 8 * MB, what  # the corpus itself stays small
        answer = _read_in_a_fresh_process(path)
        assert answer["peak_mb"] < MEMORY_LIMIT_MB, (what, answer)
        if refused_with is None:
            assert answer.get("rows") == [2], (what, answer)
        else:
            assert refused_with in answer.get("refused", ""), (what, answer)
            assert len(answer["refused"]) < 300, what


def test_a_huge_declared_dimension_still_reads_the_rows_that_are_there(tmp_path):
    header, cells = _valid_cells()
    data = xlsx(
        tmp_path / "d.xlsx", sheet=_rows({1: header, 2: cells, 4: cells}), dimension="A1:XFD1048576"
    )
    table = imports.read_table(data)
    assert [n for n, _cells in table.rows] == [2, 4]
    assert [imports._text(c) for c in table.rows[0][1]] == cells[: len(table.rows[0][1])]
    assert table.rows[0][1][0] == "irregular_crossing" and len(table.rows[0][1]) <= len(HEADER)


def test_a_nul_byte_after_the_first_4_kb_is_refused_with_its_row(persona):
    rows = [row(i) for i in range(40)]
    rows[30]["place_name"] = "Obrežje\x00"
    data = csv_bytes(rows)
    assert data.index(b"\x00") > 4096
    with pytest.raises(imports.FileRefused, match="Row 32 holds a NUL byte"):
        imports.read_table(data)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_errors_name_the_spreadsheet_row_when_blank_rows_are_in_between(persona, kind, tmp_path):
    client = testing.client_for(persona("sl_border"))
    good, bad = row(1), row(2, transport="spaceship")
    if kind == "csv":
        text = csv_bytes([good]).decode() + "\n,,,\n" + csv_bytes([bad]).decode().split("\n", 1)[1]
        data, name = text.encode(), "reports.csv"
    else:
        data = xlsx(
            tmp_path / "b.xlsx",
            sheet=_rows({1: HEADER, 2: [good[c] for c in HEADER], 5: [bad[c] for c in HEADER]}),
        )
        name = "reports.xlsx"
    upload(client, data, name=name)
    job = run_last_job(client)
    # Rows 3 and 4 are blank: they count, as the spreadsheet shows them.
    assert [e["row"] for e in job.result["errors"]] == [5]
    assert job.result["rows"] == 2


def test_messages_quote_only_the_start_of_a_long_value(persona):
    client = testing.client_for(persona("sl_border"))
    long = "spaceship" * 3000  # 27,000 characters: under a cell's limit
    rows = [row(1, transport=long), row(2, follows="REF" + "9" * 30000)]
    upload(client, csv_bytes(rows, header=[*HEADER, "follows"]))
    job = run_last_job(client)
    messages = [e["message"] for e in job.result["errors"]]
    assert len(messages) == 2 and all(len(m) <= 501 for m in messages)
    assert messages[0].startswith("“spaceshipspaceship") and "…" in messages[0]


def _slovenian(message, **values):
    with translation.override("sl"):
        text = translation.gettext(message)
    assert text != message, message  # the catalogue has it
    return text % values if values else text


def test_file_level_problems_are_said_in_the_importers_language(persona, monkeypatch, tmp_path):
    officer = persona("sl_border")
    officer.language = "sl"
    officer.save()
    client = testing.client_for(officer)
    book = tmp_path / "f.xlsx"
    formula = xlsx(book, sheet=_rows({1: HEADER}) + '<row r="2"><c r="A2"><f>1+1</f></c></row>')
    cases = [
        (
            "text".encode("utf-16"),
            _slovenian(
                "The file is in UTF-16: save it as CSV in UTF-8 or Windows-1250, or as XLSX."
            ),
        ),
        (b"  \n", _slovenian("The file is empty.")),
        (",".join(HEADER).encode(), _slovenian("The file has a header but no rows.")),
        (
            b"type,colour\nx,y\n",
            _slovenian(
                "Unknown columns: %(columns)s. The template lists the columns that are read.",
                columns="colour",
            ),
        ),
        (
            formula,
            _slovenian(
                "Row %(row)d, column %(column)s holds a formula; formulas are not imported. "
                "Paste the values instead.",
                row=2,
                column="A",
            ),
        ),
        (
            csv_bytes([row(1), row(2)]),
            _slovenian("The file has more than %(max)d rows: split it.", max=1),
        ),
    ]
    monkeypatch.setattr(imports, "MAX_ROWS", 1)
    for data, expected in cases:
        name = "f.xlsx" if data.startswith(b"PK") else "f.csv"
        upload(client, data, name=name)
        job = run_last_job(client)
        assert job.result["outcome"] == "refused"
        assert job.result["file_error"] == expected
    assert not Incident.objects.exists()


def test_an_import_locates_each_row_once(persona, monkeypatch):
    from tromeja.incidents import services

    def located_again(*args, **kwargs):
        raise AssertionError("the row was located a second time")

    monkeypatch.setattr(services, "locate", located_again)
    client = testing.client_for(persona("sl_border"))
    upload(client, csv_bytes([row(1), row(2), row(3)]))
    job = run_last_job(client)
    assert job.result["outcome"] == "imported" and job.result["imported"] == 3
    assert Incident.objects.filter(border_section__gt="").count() == 3
