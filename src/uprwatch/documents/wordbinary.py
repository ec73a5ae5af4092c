"""Read the text and tables of a Word 97-2003 ``.doc`` file (OHCHR's older thematic lists), in pure Python.

The container is an OLE compound file, read with ``olefile`` (PyPI, maintained, no system package).
Inside it, the Word binary format ([MS-DOC]) keeps the text in pieces listed by the piece table (the
CLX in the table stream); a table cell's text ends with a cell mark (U+0007) and a row ends with a
paragraph carrying the "table terminating paragraph" property (sprmPFTtp), found in the paragraph
properties (the PAPX FKP pages of the WordDocument stream). Only what a thematic list needs is read:
the main text and the page header text, paragraphs and table rows. Fields keep their result text.

Every failure is a ``DocumentError`` a person can act on (encrypted, damaged, not a Word document).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

from uprwatch.documents.extraction import DocumentError

WORD_IDENT = 0xA5EC
CELL_MARK = "\x07"
SPRM_TTP = {0x2417, 0x244C}  # sprmPFTtp, sprmPFInnerTtp: this paragraph mark ends a table row
SPRM_IN_TABLE = {0x2416, 0x6649}  # sprmPFInTable, sprmPItap: this paragraph is inside a table
FKP_SIZE = 512


@dataclass
class WordText:
    """What a .doc holds: its page header text, the paragraphs outside tables, each table as rows of cells."""

    header: str = ""
    paragraphs: list[str] = field(default_factory=list)
    tables: list[list[list[str]]] = field(default_factory=list)


def read_doc(path: Path | str) -> WordText:
    import olefile

    if not olefile.isOleFile(str(path)):
        raise DocumentError("not a Word 97-2003 (.doc) file: the OLE container is missing or damaged")
    try:
        with olefile.OleFileIO(str(path)) as ole:
            if not ole.exists("WordDocument"):
                raise DocumentError("an OLE file but not a Word document (no WordDocument stream): "
                                    "uprwatch reads Word .doc/.docx thematic lists and PDF reports")
            word = ole.openstream("WordDocument").read()
            flags = _u16(word, 0x0A)
            if _u16(word, 0) != WORD_IDENT:
                raise DocumentError("not a Word 97-2003 document (Word 6/95 and older files are not read); "
                                    "save it as .docx")
            if flags & 0x0100:
                raise DocumentError("the Word file is encrypted (password protected); save an unprotected copy")
            table_name = "1Table" if flags & 0x0200 else "0Table"
            if not ole.exists(table_name):
                raise DocumentError(f"the Word file is damaged: its {table_name} stream is missing")
            table = ole.openstream(table_name).read()
    except DocumentError:
        raise
    except (OSError, struct.error, ValueError) as exc:
        raise DocumentError(f"the Word file is damaged and cannot be read ({exc})") from exc
    try:
        return _read(word, table)
    except (struct.error, IndexError, ValueError) as exc:
        raise DocumentError(f"the Word file is damaged and cannot be read ({exc.__class__.__name__})") from exc


def _u16(data: bytes, offset: int) -> int:
    return struct.unpack_from("<H", data, offset)[0]


def _u32(data: bytes, offset: int) -> int:
    return struct.unpack_from("<I", data, offset)[0]


def _fib_lengths(word: bytes) -> tuple[int, int, int, int, int, int]:
    """ccpText, ccpFtn, ccpHdd and the (fc, lcb) of the CLX and of the PAPX bin table, from the FIB."""
    csw = _u16(word, 32)
    lw = 34 + csw * 2  # FibRgLw97 follows the count of 32-bit values
    cslw = _u16(word, lw)
    rg_lw = lw + 2
    ccp_text, ccp_ftn, ccp_hdd = _u32(word, rg_lw + 12), _u32(word, rg_lw + 16), _u32(word, rg_lw + 20)
    rg_fc = rg_lw + cslw * 4 + 2  # FibRgFcLcb97
    fc_plcf_papx, lcb_plcf_papx = _u32(word, rg_fc + 13 * 8), _u32(word, rg_fc + 13 * 8 + 4)
    fc_clx = _u32(word, rg_fc + 33 * 8)
    return ccp_text, ccp_ftn, ccp_hdd, fc_clx, fc_plcf_papx, lcb_plcf_papx


@dataclass
class _Piece:
    cp_start: int
    cp_end: int
    fc: int  # byte offset of the piece's text in the WordDocument stream
    compressed: bool  # 8-bit (cp1252) rather than UTF-16


def _pieces(table: bytes, fc_clx: int) -> list[_Piece]:
    pos = fc_clx
    while table[pos] == 0x01:  # Prc: property modifiers we do not need
        pos += 3 + _u16(table, pos + 1)
    if table[pos] != 0x02:
        raise ValueError("no piece table")
    lcb = _u32(table, pos + 1)
    plc = pos + 5
    count = (lcb - 4) // 12
    cps = [_u32(table, plc + 4 * k) for k in range(count + 1)]
    pieces = []
    for k in range(count):
        fc_raw = _u32(table, plc + 4 * (count + 1) + 8 * k + 2)
        compressed = bool(fc_raw & 0x40000000)
        fc = (fc_raw & 0x3FFFFFFF) // 2 if compressed else fc_raw & 0x3FFFFFFF
        pieces.append(_Piece(cps[k], cps[k + 1], fc, compressed))
    return pieces


def _text(word: bytes, pieces: list[_Piece]) -> tuple[str, list[int]]:
    """The document's characters and, for each, its byte offset (FC) in the WordDocument stream."""
    chars: list[str] = []
    offsets: list[int] = []
    for piece in pieces:
        n = piece.cp_end - piece.cp_start
        if piece.compressed:
            raw = word[piece.fc:piece.fc + n]
            chars.append(raw.decode("cp1252", errors="replace"))
            offsets.extend(piece.fc + k for k in range(len(raw)))
        else:
            raw = word[piece.fc:piece.fc + 2 * n]
            chars.append(raw.decode("utf-16-le", errors="replace"))
            offsets.extend(piece.fc + 2 * k for k in range(len(raw) // 2))
    return "".join(chars), offsets


def _table_paragraphs(word: bytes, table: bytes, fc_plcf: int, lcb_plcf: int) -> tuple[list, list]:
    """The FC ranges of paragraphs that end a table row (sprmPFTtp) and of paragraphs inside a table
    (sprmPFInTable), from the PAPX FKP pages."""
    ranges: list[tuple[int, int]] = []
    inside: list[tuple[int, int]] = []
    count = (lcb_plcf - 4) // 8
    for k in range(count):
        page = (_u32(table, fc_plcf + 4 * (count + 1) + 4 * k) & 0x3FFFFF) * FKP_SIZE
        fkp = word[page:page + FKP_SIZE]
        if len(fkp) < FKP_SIZE:
            continue
        runs = fkp[511]
        fcs = [_u32(fkp, 4 * j) for j in range(runs + 1)]
        for j in range(runs):
            offset = fkp[4 * (runs + 1) + 13 * j] * 2
            if not offset:
                continue
            size = fkp[offset]
            start = offset + 1
            if size == 0:
                size, start = fkp[offset + 1], offset + 2
                length = size * 2
            else:
                length = size * 2 - 1
            found = _sprms(fkp[start + 2:start + length])  # the first two bytes are the style (istd)
            if found & SPRM_TTP:
                ranges.append((fcs[j], fcs[j + 1]))
            if found & SPRM_IN_TABLE:
                inside.append((fcs[j], fcs[j + 1]))
    return ranges, inside


_OPERAND_SIZES = {0: 1, 1: 1, 2: 2, 3: 4, 4: 2, 5: 2, 7: 3}


def _sprms(grpprl: bytes) -> set[int]:
    """The paragraph properties set (operand not zero) among those this reader needs."""
    found: set[int] = set()
    pos = 0
    while pos + 2 <= len(grpprl):
        sprm = _u16(grpprl, pos)
        pos += 2
        if sprm in SPRM_TTP | SPRM_IN_TABLE and any(grpprl[pos:pos + (4 if sprm == 0x6649 else 1)]):
            found.add(sprm)
        spra = sprm >> 13
        if spra == 6:  # variable length; sprmTDefTable and sprmPChgTabs use two bytes of length
            if sprm in (0xD608, 0xC615) and pos + 2 <= len(grpprl):
                pos += 2 + _u16(grpprl, pos) - (1 if sprm == 0xD608 else 0)
            else:
                pos += 1 + (grpprl[pos] if pos < len(grpprl) else 0)
        else:
            pos += _OPERAND_SIZES[spra]
    return found


def _clean(text: str) -> str:
    """Drop field codes (keep their results) and control characters; vertical tab is a line break."""
    out: list[str] = []
    depth: list[bool] = []  # per open field: whether we are past its separator (showing the result)
    for ch in text:
        if ch == "\x13":
            depth.append(False)
        elif ch == "\x14":
            if depth:
                depth[-1] = True
        elif ch == "\x15":
            if depth:
                depth.pop()
        elif depth and not depth[-1]:
            continue
        elif ch == "\x0b":
            out.append("\n")
        elif ch == "\x1e":
            out.append("-")
        elif ch < " " and ch not in "\n\t":  # pictures, note marks, separators, page breaks
            continue
        else:
            out.append(ch)
    return "".join(out).replace("\xa0", " ").strip()


def _read(word: bytes, table: bytes) -> WordText:
    ccp_text, ccp_ftn, ccp_hdd, fc_clx, fc_plcf, lcb_plcf = _fib_lengths(word)
    text, offsets = _text(word, _pieces(table, fc_clx))
    row_ends, inside = _table_paragraphs(word, table, fc_plcf, lcb_plcf)
    result = WordText()
    header_start = ccp_text + ccp_ftn
    result.header = " ".join(_clean(line) for line in text[header_start:header_start + ccp_hdd].split("\r")
                             if _clean(line))

    def within(cp: int, ranges: list[tuple[int, int]]) -> bool:
        fc = offsets[cp] if cp < len(offsets) else -1
        return any(start <= fc < end for start, end in ranges)

    cells: list[str] = []
    rows: list[list[str]] = []
    current: list[str] = []
    for cp, ch in enumerate(text[:ccp_text]):
        if ch not in ("\r", CELL_MARK):
            current.append(ch)
        elif ch == CELL_MARK and within(cp, row_ends):  # the row mark closes the row of cells before it
            rows.append(cells)
            cells, current = [], []
        elif ch == CELL_MARK:
            cells.append(_clean("".join(current).replace("\r", "\n")))
            current = []
        elif within(cp, inside):
            current.append("\r")  # a paragraph inside a cell: the cell goes on
        else:
            if rows:
                result.tables.append(rows)
                rows = []
            if paragraph := _clean("".join(current)):
                result.paragraphs.append(paragraph)
            current = []
    if rows:
        result.tables.append(rows)
    return result
