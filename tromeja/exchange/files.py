"""Attachments of contact-point messages.

A file is accepted by what its content is (its magic numbers, read by the
filetype library), and only if its name's extension says the same: a program
named "report.pdf" is refused, and so is a PDF named "photo.jpg". Files are
kept outside the web root, under DATA_DIR/attachments, named by their
SHA-256 (the same file sent twice is stored once), and served only through
the exchange to those who may read the message.

Reading is bounded: a file is read in blocks of 1 MB (never whole), and an
Office or OpenDocument file, a ZIP container, is checked by what its central
directory declares without unpacking it — a "ZIP bomb" that unpacks to far
more than a document holds is refused.
"""

import codecs
import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Detected type -> extensions a file of that type may carry.
ACCEPTED = {
    "application/pdf": {".pdf"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/png": {".png"},
    "image/tiff": {".tif", ".tiff"},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {".docx"},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {".xlsx"},
    "application/vnd.oasis.opendocument.text": {".odt"},
    "application/vnd.oasis.opendocument.spreadsheet": {".ods"},
    "text/plain": {".txt"},
    "text/csv": {".csv"},
}
_TEXT = {".txt": "text/plain", ".csv": "text/csv"}
_HEAD = 8192
_ZIPPED = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
}
# What a document may unpack to: its parts are compressed XML (ten to fifty
# times smaller) and pictures (hardly smaller at all); a ZIP bomb unpacks to
# a thousand times its size and more.
MAX_UNPACKED_RATIO = 200
MIN_UNPACKED_BYTES = 16 * 1024 * 1024
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
# Control characters (Unicode category Cc) other than tab, line feed and
# carriage return.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass
class Checked:
    upload: object
    name: str
    content_type: str
    size: int
    sha256: str


def _name(raw: str) -> str:
    name = PurePath(str(raw or "").replace("\\", "/")).name
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip(" .")
    return name[:200] or "file"


def _chunks(upload):
    # Not upload.chunks(): a file kept in memory gives itself whole there.
    upload.seek(0)
    while block := upload.read(1 << 20):
        yield block


def _is_text(upload) -> bool:
    """Plain text: UTF-8 (or Windows-1250, the local Excel default) without
    control characters other than tabs and line ends. Read block by block."""
    return _decodes_cleanly(upload, "utf-8-sig") or _decodes_cleanly(upload, "cp1250")


def _decodes_cleanly(upload, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        for block in _chunks(upload):
            if _CONTROL.search(decoder.decode(block)):
                return False
        return not _CONTROL.search(decoder.decode(b"", final=True))
    except UnicodeDecodeError:
        return False


def _check_container(upload, name: str, size: int):
    """An Office or OpenDocument file, by its central directory only."""
    from tromeja.core import ziplimits

    upload.seek(0)
    try:
        with ziplimits.open_bounded(upload) as archive:
            unpacked = ziplimits.unpacked_size(archive)
    except ziplimits.ZipRefused:
        raise ValidationError(
            _("“%(name)s” is damaged: it cannot be opened as a document.") % {"name": name}
        ) from None
    if unpacked > min(MAX_UNPACKED_BYTES, max(MIN_UNPACKED_BYTES, MAX_UNPACKED_RATIO * size)):
        raise ValidationError(
            _("“%(name)s” unpacks to %(size)d MB, far more than a document holds; it is refused.")
            % {"name": name, "size": unpacked // (1024 * 1024)}
        )


def _what(mime: str) -> str:
    labels = {
        "application/x-msdownload": _("a Windows program"),
        "application/x-executable": _("a program"),
        "application/x-elf": _("a program"),
        "application/x-mach-binary": _("a program"),
        "application/zip": _("a ZIP archive"),
        "application/x-rar-compressed": _("a RAR archive"),
        "application/x-7z-compressed": _("a 7-Zip archive"),
    }
    return labels.get(mime, mime)


def check(upload) -> Checked:
    """Checks one uploaded file (a Django UploadedFile or File); raises a
    ValidationError that names the file and says what is wrong."""
    name = _name(getattr(upload, "name", ""))
    size = upload.size
    limit_mb = settings.TROMEJA_MAX_ATTACHMENT_MB
    if size > limit_mb * 1024 * 1024:
        raise ValidationError(
            _("“%(name)s” is %(size).1f MB; an attachment may be up to %(limit)d MB.")
            % {"name": name, "size": size / 1024 / 1024, "limit": limit_mb}
        )
    if size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name})
    extension = os.path.splitext(name)[1].lower()
    upload.seek(0)
    kind = filetype.guess(upload.read(_HEAD))
    if kind is None:
        if extension in _TEXT and _is_text(upload):
            mime = _TEXT[extension]
        else:
            raise ValidationError(
                _(
                    "“%(name)s” is not a kind of file the exchange accepts (PDF, JPEG, PNG, "
                    "TIFF, Word or OpenDocument text, Excel or OpenDocument sheets, plain "
                    "text, CSV)."
                )
                % {"name": name}
            )
    else:
        mime = kind.mime
        if mime not in ACCEPTED:
            raise ValidationError(
                _("“%(name)s” is %(what)s, not a document; it is refused.")
                % {"name": name, "what": _what(mime)}
            )
    if extension not in ACCEPTED[mime]:
        raise ValidationError(
            _(
                "“%(name)s” does not hold what its name says: its content is %(mime)s. Rename it "
                "or send the right file."
            )
            % {"name": name, "mime": mime}
        )
    if mime in _ZIPPED:
        _check_container(upload, name, size)
    digest = hashlib.sha256()
    for block in _chunks(upload):
        digest.update(block)
    return Checked(upload, name, mime, size, digest.hexdigest())


def check_all(uploads) -> list[Checked]:
    """Checks every file; all problems at once."""
    uploads = list(uploads or ())
    most = settings.TROMEJA_MAX_ATTACHMENTS
    errors = []
    if len(uploads) > most:
        errors.append(_("At most %(count)d attachments per message.") % {"count": most})
    checked = []
    for upload in uploads:
        try:
            checked.append(check(upload))
        except ValidationError as exc:
            errors += exc.messages
    if errors:
        raise ValidationError({"attachments": errors})
    return checked


def root() -> Path:
    return Path(settings.DATA_DIR) / "attachments"


def path_of(sha256: str) -> Path:
    if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256")
    return root() / sha256[:2] / sha256


def store(checked: Checked) -> Path:
    """Writes the file under its hash (once), atomically."""
    target = path_of(checked.sha256)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{checked.sha256}.{os.getpid()}.part")
    digest = hashlib.sha256()
    with open(partial, "wb") as out:
        for block in _chunks(checked.upload):
            digest.update(block)
            out.write(block)
    if digest.hexdigest() != checked.sha256:
        partial.unlink(missing_ok=True)
        raise ValidationError(_("“%(name)s” changed while it was read.") % {"name": checked.name})
    os.replace(partial, target)
    return target
