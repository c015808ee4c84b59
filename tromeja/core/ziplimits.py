"""ZIP containers from outside (XLSX, DOCX, OpenDocument) opened with bounds.

zipfile reads an archive's whole central directory when it opens it, one
object per member: a directory of a few megabytes already costs hundreds of
megabytes of memory. Its size is read from the end record first; a real
workbook or document has a directory of a few kilobytes. The size a member
declares bounds what unpacking it yields (zipfile stops there and checks the
CRC), so declared sizes can be checked before anything is unpacked.
"""

import struct
import zipfile

# End of central directory record: signature, then the directory's size at 12.
_END = b"PK\x05\x06"
_END_SIZE = 22
_MAX_COMMENT = 65_535
MAX_DIRECTORY_BYTES = 1024 * 1024


class ZipRefused(Exception):
    """The archive cannot be opened within the bounds."""


def open_bounded(fileobj) -> zipfile.ZipFile:
    """A ZipFile over `fileobj` (seekable), once its central directory is
    known to be small; raises ZipRefused otherwise."""
    fileobj.seek(0, 2)
    size = fileobj.tell()
    tail_size = min(size, _END_SIZE + _MAX_COMMENT)
    fileobj.seek(size - tail_size)
    tail = fileobj.read(tail_size)
    end = tail.rfind(_END)
    if end < 0 or len(tail) < end + _END_SIZE:
        raise ZipRefused("no end of central directory")
    (directory_size,) = struct.unpack_from("<L", tail, end + 12)
    if directory_size > MAX_DIRECTORY_BYTES:
        raise ZipRefused("central directory too large")
    fileobj.seek(0)
    try:
        return zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise ZipRefused("not a readable ZIP archive") from None


def unpacked_size(archive: zipfile.ZipFile) -> int:
    """What the members declare they unpack to, together."""
    return sum(info.file_size for info in archive.infolist())
