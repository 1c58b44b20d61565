"""Builders of hostile plan files (xlsx, zip), shared by tests/security and bench/upload_limits.py.

The zip bomb of the audit: a valid workbook whose sheet XML (or shared strings) holds one text of 1 Gio,
deflated to about 1 Mo. Compressing 1 Gio would take seconds; instead one block of 1 Mio of « A » is deflated
once, ending on a full flush (the compressor's state is reset there, so the same block follows itself any
number of times in a valid deflate stream), and repeated. Only the CRC-32 reads the whole gigaoctet (about
0.4 s); nothing holds more than a few megaoctets in memory.
"""

import functools
import io
import struct
import zipfile
import zlib

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
BLOCK = 1 << 20
GIB = 1 << 30


def raw_zip(entries) -> bytes:
    """A zip of `entries`: (name, data, crc, uncompressed size, method, flags); data already compressed. The
    sizes are written as given, which lets a test declare a size that is not the real one."""
    out = io.BytesIO()
    central = []
    for name, data, crc, size, method, flags in entries:
        encoded = name.encode()
        offset = out.tell()
        header = (b"PK\x03\x04", 20, flags, method, 0, 0x21, crc, len(data), size, len(encoded), 0)
        out.write(struct.pack("<4s5H3L2H", *header) + encoded + data)
        record = (b"PK\x01\x02", 20, 20, flags, method, 0, 0x21, crc, len(data), size, len(encoded))
        central.append(struct.pack("<4s6H3L5H2L", *record, 0, 0, 0, 0, 0, offset) + encoded)
    start = out.tell()
    for record in central:
        out.write(record)
    size = out.tell() - start
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), size, start, 0))
    return out.getvalue()


def deflated(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def entries_of(workbook: bytes) -> list[tuple]:
    """The entries of a workbook, ready for `raw_zip` (recompressed)."""
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        result = []
        for info in archive.infolist():
            data = archive.read(info)
            result.append((info.filename, deflated(data), zlib.crc32(data), len(data), 8, 0))
        return result


def repeated_entry(name: str, head: bytes, size: int, tail: bytes, *, declared: int | None = None) -> tuple:
    """An entry `head` + « A » × `size` + `tail`, deflated without compressing it whole; `declared`: the
    uncompressed size written in the zip instead of the real one."""
    blocks, rest = divmod(size, BLOCK)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream = [compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)]
    chunk = b"A" * BLOCK
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    stream.append(block * blocks)
    stream.append(compressor.compress(b"A" * rest + tail) + compressor.flush())
    crc = zlib.crc32(head)
    for _ in range(blocks):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(b"A" * rest + tail, crc)
    real = len(head) + size + len(tail)
    return (name, b"".join(stream), crc, real if declared is None else declared, 8, 0)


def replace_entries(workbook: bytes, replaced: dict[str, tuple], added: list[tuple] = ()) -> bytes:
    entries = [replaced.get(entry[0], entry) for entry in entries_of(workbook)]
    return raw_zip(entries + list(added))


def _edit_entry(entries: list[tuple], name: str, change) -> list[tuple]:
    result = []
    for entry in entries:
        if entry[0] == name:
            data = change(zlib.decompress(entry[1], -15))
            entry = (name, deflated(data), zlib.crc32(data), len(data), 8, 0)
        result.append(entry)
    return result


SHEET_HEAD = (
    f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>'
    '<row r="1"><c r="A1" t="inlineStr"><is><t>numéro</t></is></c></row>'
).encode()


def huge_string_xlsx(workbook: bytes, *, size: int = GIB, part: str = "sheet", declared=None) -> bytes:
    """`workbook` whose first sheet holds one text of `size` « A »: inline in the sheet XML, in the header row
    (part="sheet", cell B1), or in the shared strings (part="sharedStrings", cell B2)."""
    sheet = "xl/worksheets/sheet1.xml"
    if part == "sheet":
        head = SHEET_HEAD.removesuffix(b"</row>") + b'<c r="B1" t="inlineStr"><is><t>'
        tail = b"</t></is></c></row></sheetData></worksheet>"
        return replace_entries(workbook, {sheet: repeated_entry(sheet, head, size, tail, declared=declared)})
    head = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>'
    strings = repeated_entry(
        "xl/sharedStrings.xml", head.encode(), size, b"</t></si></sst>", declared=declared
    )
    sheet_xml = SHEET_HEAD + b'<row r="2"><c r="B2" t="s"><v>0</v></c></row></sheetData></worksheet>'
    entries = [e for e in entries_of(workbook) if e[0] != "xl/sharedStrings.xml"]
    entries = [
        (sheet, deflated(sheet_xml), zlib.crc32(sheet_xml), len(sheet_xml), 8, 0) if e[0] == sheet else e
        for e in entries
    ]
    override = (
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_STRINGS_TYPE}"/></Types>'
    ).encode()
    entries = _edit_entry(entries, "[Content_Types].xml", lambda xml: xml.replace(b"</Types>", override))
    return raw_zip([*entries, strings])


@functools.lru_cache(maxsize=1)
def plan_workbook() -> bytes:
    """A valid, empty plan workbook (the sheets and headers of the export), without the database."""
    from openpyxl import Workbook

    from ctg.exchange.layout import SHEETS

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, columns in SHEETS.items():
        workbook.create_sheet(name).append([header for header, _, _ in columns])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


@functools.lru_cache(maxsize=2)
def audit_bomb(part: str = "sharedStrings") -> bytes:
    """The audit's bomb: a plan workbook with one text of 1 Gio, about 1 Mo on disk."""
    return huge_string_xlsx(plan_workbook(), size=GIB, part=part)
