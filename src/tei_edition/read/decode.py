"""Bytes to clean text: encoding, line ends, Unicode NFC, and the checks that refuse bad input."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field


class InputError(ValueError):
    """A source that cannot be converted; the message is one line, fit for the user."""


# Characters XML 1.0 forbids (tab, LF and CR are allowed) plus the non-characters.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_MARKUP_LIKE = re.compile(r"<[A-Za-z/!?][\w:-]*|&[#\w]+;|\]\]>")


@dataclass
class Decoded:
    text: str
    encoding: str
    warnings: list[str] = field(default_factory=list)
    normalisations: list[str] = field(default_factory=list)


def decode(data: bytes) -> Decoded:
    """Decode a source file. Raises InputError for empty, binary or undecodable input."""
    if not data.strip():
        raise InputError("empty file")
    if b"\x00" in data:
        raise InputError("binary file (contains NUL bytes), not a text transcription")
    warnings: list[str] = []
    normalisations: list[str] = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        normalisations.append("A UTF-8 byte-order mark was removed.")
    try:
        text = data.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError as err:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise InputError(
                f"undecodable bytes: neither UTF-8 nor Windows-1252 (byte 0x{data[err.start]:02x} "
                f"at offset {err.start})"
            ) from None
        encoding = "windows-1252"
        warnings.append(
            f"not valid UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start}); "
            "decoded as Windows-1252"
        )
        normalisations.append("The source was not UTF-8; it was decoded as Windows-1252.")
    bad = _XML_ILLEGAL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise InputError(
            f"control character U+{ord(bad.group()):04X} at line {line} cannot be represented "
            "in XML; is this a text transcription?"
        )
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        normalisations.append("Line ends were normalised to LF.")
    nfc = unicodedata.normalize("NFC", text)
    if nfc != text:
        normalisations.append("Text was normalised to Unicode NFC.")
    if not any(ch.isalnum() for ch in nfc):
        raise InputError("no words in the file (only punctuation or whitespace)")
    markup = _MARKUP_LIKE.search(nfc)
    if markup:
        line = nfc.count("\n", 0, markup.start()) + 1
        warnings.append(
            f"text looks like markup ({markup.group()!r} at line {line}); kept as text and escaped"
        )
    return Decoded(nfc, encoding, warnings, normalisations)
