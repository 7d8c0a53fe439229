"""Bytes to clean text: encoding, line ends, Unicode NFC, and the checks that refuse bad input."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field


class InputError(ValueError):
    """A source that cannot be converted; the message is one line, fit for the user."""


# Characters XML 1.0 forbids (tab, LF and CR are allowed) plus the non-characters.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPACE_LIKE = re.compile("[\x0b\x0c]")  # vertical tab, form feed: white space
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_MARKUP_LIKE = re.compile(r"<[A-Za-z/!?][\w:-]*|&[#\w]+;|\]\]>")
BINARY_SHARE = 0.05  # more control bytes than this (and > 2): a binary file
BOMS = [  # longest first: the UTF-32 LE mark begins with the UTF-16 LE one
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"), (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"),
    (b"\xef\xbb\xbf", "utf-8", "UTF-8"), (b"\xfe\xff", "utf-16-be", "UTF-16"),
    (b"\xff\xfe", "utf-16-le", "UTF-16"),
]
MAX_SHOWN = 5  # places named in one warning


@dataclass
class Decoded:
    text: str
    encoding: str
    warnings: list[str] = field(default_factory=list)
    normalisations: list[str] = field(default_factory=list)


def _line_of(text: str | bytes, offset: int) -> int:
    newline = "\n" if isinstance(text, str) else b"\n"
    return text.count(newline, 0, offset) + 1


def _places(items: list[str]) -> str:
    items = list(dict.fromkeys(items))  # each place once, in order
    shown = ", ".join(items[:MAX_SHOWN])
    return shown + (f" and {len(items) - MAX_SHOWN} more" if len(items) > MAX_SHOWN else "")


def _binary(sample: bytes | str) -> bool:
    if isinstance(sample, str):
        bad = len(_XML_ILLEGAL.findall(_SPACE_LIKE.sub(" ", sample)))
    else:
        bad = len(_BINARY_BYTES.findall(sample))
    return bad > max(2, BINARY_SHARE * len(sample))


def _decode_utf8_mostly(data: bytes) -> tuple[str, list[tuple[int, bytes]], bool]:
    """UTF-8, with each byte that is not UTF-8 read as Windows-1252 (U+FFFD where that
    code page has no character).  Returns the text, the bad (offset, bytes) and whether
    the file holds any valid multi-byte UTF-8 at all."""
    parts: list[str] = []
    bad: list[tuple[int, bytes]] = []
    pos = 0
    while True:
        try:
            parts.append(data[pos:].decode("utf-8"))
            break
        except UnicodeDecodeError as err:
            end = pos + err.start
            parts.append(data[pos:end].decode("utf-8"))
            stray = data[end:pos + err.end]
            bad.append((end, stray))
            parts.append(stray.decode("cp1252", errors="replace"))
            pos = pos + err.end
    text = "".join(parts)
    if not bad:
        return text, bad, True
    stray_chars = sum(len(b) for _, b in bad)
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))  # counted in C, not per char
    return text, bad, non_ascii > stray_chars


def decode(data: bytes) -> Decoded:
    """Decode a source file. Raises InputError for empty, binary or undecodable input.

    UTF-8, UTF-16 and UTF-32 with a byte-order mark; without one UTF-8, where a byte that
    is not UTF-8 is read as Windows-1252 (a whole file of such bytes is a Windows-1252
    file) and named in a warning.  Form feed and vertical tab become spaces; any other
    character XML cannot hold becomes U+FFFD, named in a warning and in editorialDecl."""
    if not data.strip():
        raise InputError("empty file")
    warnings: list[str] = []
    normalisations: list[str] = []
    bom = next(((mark, codec, label) for mark, codec, label in BOMS if data.startswith(mark)),
               None)
    if bom is not None:
        mark, codec, label = bom
        text = data[len(mark):].decode(codec, errors="replace")
        encoding = codec.split("-")[0] + "-" + codec.split("-")[1]  # utf-16, utf-32, utf-8
        normalisations.append(f"A {label} byte-order mark was removed"
                              + ("." if label == "UTF-8" else f"; the {label} text was decoded."))
        if "\ufffd" in text and "\ufffd".encode(codec) not in data:
            warnings.append(f"not valid {label}: some bytes were replaced by U+FFFD")
            normalisations.append(f"Bytes that were not valid {label} were replaced by U+FFFD.")
        if _binary(text):
            raise InputError("binary file (mostly control characters), not a text transcription")
    else:
        if _binary(data):
            raise InputError("binary file (contains NUL or other control bytes), not a text "
                             "transcription")
        text, bad, is_utf8 = _decode_utf8_mostly(data)
        encoding = "utf-8"
        unmapped = [(o, b) for o, b in bad if "\ufffd" in b.decode("cp1252", errors="replace")]
        if sum(len(b) for _, b in unmapped) > max(8, len(data) // 100):
            o, b = unmapped[0]
            raise InputError(f"undecodable bytes: neither UTF-8 nor Windows-1252 (byte "
                             f"0x{b[0]:02x} at offset {o}, line {_line_of(data, o)})")
        if bad and not is_utf8:
            encoding = "windows-1252"
            o, b = bad[0]
            warnings.append(f"not valid UTF-8 (byte 0x{b[0]:02x} at offset {o}); decoded as "
                            "Windows-1252")
            normalisations.append("The source was not UTF-8; it was decoded as Windows-1252.")
        elif bad:
            where = [f"line {_line_of(data, o)} (byte {' '.join(f'0x{x:02x}' for x in b)})"
                     for o, b in bad]
            warnings.append(f"not valid UTF-8 at {_places(where)}; those bytes were read as "
                            "Windows-1252")
            normalisations.append("Bytes that were not valid UTF-8 (at "
                                  f"{_places([w.split(' (')[0] for w in where])}) were read as "
                                  "Windows-1252; the rest of the file is UTF-8.")
        if unmapped:
            where = [f"line {_line_of(data, o)}" for o, _ in unmapped]
            warnings.append(f"bytes that are neither UTF-8 nor Windows-1252 at {_places(where)} "
                            "were replaced by U+FFFD")
            normalisations.append("Bytes that were neither UTF-8 nor Windows-1252 were replaced "
                                  "by U+FFFD.")
    text = _control_characters(text, warnings, normalisations)
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


def _control_characters(text: str, warnings: list[str], normalisations: list[str]) -> str:
    """Form feed and vertical tab are white space; other characters XML 1.0 cannot hold
    are replaced by U+FFFD, each place named."""
    if _SPACE_LIKE.search(text):
        kinds = [name for ch, name in (("\x0c", "form feeds (page ends, as pdftotext writes "
                                        "them)"), ("\x0b", "vertical tabs")) if ch in text]
        text = _SPACE_LIKE.sub(" ", text)
        normalisations.append(f"{' and '.join(kinds).capitalize()} were read as white space.")
    found = list(_XML_ILLEGAL.finditer(text))
    if found:
        where = [f"U+{ord(m.group()):04X} at line {_line_of(text, m.start())}" for m in found]
        text = _XML_ILLEGAL.sub("\ufffd", text)
        warnings.append(f"control characters XML cannot hold ({_places(where)}) were replaced "
                        "by U+FFFD")
        normalisations.append(f"{len(found)} control character(s) that XML cannot hold "
                              f"({_places(where)}) were replaced by U+FFFD.")
    return text
