"""Text for Office files (XLSX, DOCX): both are XML 1.0, which cannot hold most control characters.

A query a user typed, or a recommendation extracted from a damaged PDF, may contain such characters;
openpyxl and python-docx then refuse the whole file. We drop them rather than fail the export.
"""

from __future__ import annotations

import re

# XML 1.0 allows tab, newline and carriage return; every other C0 control, the two non-characters
# U+FFFE/U+FFFF and lone surrogates (which can arrive through URL decoding) are forbidden.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(value):
    """``value`` with characters XML cannot hold removed; non-strings are returned unchanged."""
    return _NOT_XML.sub("", value) if isinstance(value, str) else value
