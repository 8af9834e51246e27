"""Reading a CSV source into rows: decoding the bytes and finding the delimiter.

Decoding, unless the caller names an `encoding`:

- a byte-order mark decides: UTF-8 (the BOM Excel writes for "CSV UTF-8") or UTF-16 (Excel's
  "Unicode Text");
- otherwise UTF-8; a file that is not valid UTF-8 is read as Windows-1252 (cp1252, which covers
  ISO-8859-1 text), the encoding Excel on Windows writes for plain "CSV"; the fallback is logged.
  Bytes that are neither are an `undecodable-file` error asking for UTF-8, never a guess.

The delimiter is the one of `,` `;` tab `|` that occurs most often, outside quotes, in the header line
(semicolons come from Excel in locales with a decimal comma); a single-column file uses `,`.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Union

from crm_core.errors import ImportFailedError

Source = Union[str, "os.PathLike[str]", IO[str], IO[bytes]]
DELIMITERS = (",", ";", "\t", "|")
FALLBACK_ENCODING = "cp1252"

_log = logging.getLogger(__name__)


def decode(data: bytes, encoding: str | None = None) -> str:
    """The text of `data` (see the module docstring for the rules)."""
    if encoding is not None:
        try:
            return data.decode(encoding).removeprefix("\ufeff")
        except (UnicodeDecodeError, LookupError) as exc:
            raise ImportFailedError(f"The file cannot be read as {encoding}: {exc}. Save it as UTF-8 CSV.",
                                    code="undecodable-file") from exc
    if data.startswith(codecs.BOM_UTF8):
        return _decode(data[len(codecs.BOM_UTF8):], "utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode(data, "utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode(FALLBACK_ENCODING)
    except UnicodeDecodeError as exc:
        raise ImportFailedError(
            f"The file is neither UTF-8 nor Windows-1252 (byte {exc.start}). Save it as 'CSV UTF-8', "
            "or name its encoding.", code="undecodable-file") from exc
    _log.info("CSV file is not valid UTF-8; read it as %s", FALLBACK_ENCODING)
    return text


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ImportFailedError(f"The file starts with a {encoding.upper()} byte-order mark but is not "
                                f"valid {encoding.upper()} (byte {exc.start}).", code="undecodable-file") from exc


def read_text(source: Source, encoding: str | None = None) -> str:
    """The whole text of a path, a binary stream or a text stream (a leading BOM removed)."""
    if isinstance(source, (str, os.PathLike)):
        try:
            data: str | bytes = Path(source).read_bytes()
        except OSError as exc:
            raise ImportFailedError(f"Cannot read '{source}': {exc.strerror}.", code="unreadable-file") from exc
    else:
        data = source.read()
    if isinstance(data, bytes):
        return decode(data, encoding)
    return data.removeprefix("\ufeff")


def sniff_delimiter(text: str) -> str:
    """The delimiter of the header line: the most frequent candidate outside quotes."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in ("\n", "\r"):
            break
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])  # ties keep the earlier candidate
    return best if counts[best] else ","


def read_rows(text: str, delimiter: str) -> Iterator[list[str]]:
    """The records of `text` (a quoted cell may span lines); malformed CSV is an import error."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as exc:
        raise ImportFailedError(f"The file is not valid CSV near line {reader.line_num}: {exc}.",
                                code="malformed-file") from exc
