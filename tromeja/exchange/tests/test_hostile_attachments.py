"""Hostile attachments: reading them stays bounded, and a document that
unpacks to far more than a document holds (a ZIP bomb) or cannot be opened
is refused by name. The files are made here, compressed."""

import io
import tracemalloc
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tromeja.exchange import files

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def _docx(*, unpacked: int = 0, members: int = 0) -> bytes:
    """A Word document; `unpacked` bytes of zeros in one part, written
    compressed, and `members` empty parts more."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("word/document.xml", "<w:document>Zapisnik</w:document>")
        if unpacked:
            with book.open("word/media/image1.bin", "w", force_zip64=True) as part:
                zeros = b"\0" * MB
                for _start in range(0, unpacked, MB):
                    part.write(zeros)
        for n in range(members):
            book.writestr(f"word/media/{n:06d}-{'x' * 60}.xml", b"")
    return out.getvalue()


def test_a_real_document_is_accepted(persona):
    checked = files.check(SimpleUploadedFile("zapisnik.docx", _docx()))
    assert checked.content_type.endswith("wordprocessingml.document")


def test_a_zip_bomb_disguised_as_a_document_is_refused_by_name(persona):
    bomb = _docx(unpacked=400 * MB)
    assert len(bomb) < MB
    with pytest.raises(ValidationError) as exc:
        files.check(SimpleUploadedFile("zapisnik.docx", bomb))
    assert exc.value.messages == [
        "“zapisnik.docx” unpacks to 400 MB, far more than a document holds; it is refused."
    ]


def test_a_document_whose_directory_is_too_large_to_open_is_refused(persona):
    crowded = _docx(members=15_000)
    with pytest.raises(ValidationError) as exc:
        files.check(SimpleUploadedFile("zapisnik.docx", crowded))
    assert exc.value.messages == ["“zapisnik.docx” is damaged: it cannot be opened as a document."]


def test_checking_a_20_mb_text_file_reads_it_in_blocks(persona):
    text = ("tablica;država\nAA0000A;UA\n" * 800_000).encode()[: 20 * MB - 1]
    upload = SimpleUploadedFile("seznam.csv", text)
    tracemalloc.start()
    try:
        checked = files.check(upload)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert checked.content_type == "text/csv"
    assert peak < 8 * MB, peak  # the whole file would be 20 MB, decoded 20 MB more


def test_a_control_character_late_in_a_text_file_is_still_found(persona):
    text = b"tablica;drzava\n" * 200_000 + b"AA0000A\x07;UA\n"
    with pytest.raises(ValidationError):
        files.check(SimpleUploadedFile("seznam.csv", text))
    windows = "tablica;država\nAA0000A;UA\n".encode("cp1250") * 1000
    assert files.check(SimpleUploadedFile("seznam.csv", windows)).content_type == "text/csv"
