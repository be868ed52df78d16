"""Bytes -> text for every reader: UTF-8 (BOM removed), else windows-1256 when it clearly is.

Arabic pages saved on Windows are often windows-1256. That code page maps almost
every byte to some character, so decoding "succeeds" on any file; we accept it
only when the result reads as Arabic (most letters Arabic, few stray symbols),
and the caller reports it as a warning. Anything else is not decoded at all:
a wrong guess would put garbage into annotation tasks.
"""

from __future__ import annotations

from dataclasses import dataclass


class UndecodableError(ValueError):
    """The bytes are neither UTF-8 nor clearly windows-1256 Arabic."""

    def __init__(self, line: int, byte: int) -> None:
        super().__init__(f"line {line}: byte 0x{byte:02x} is not UTF-8")
        self.line = line
        self.byte = byte


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # "utf-8", "utf-16" or "windows-1256"


def _looks_arabic(text: str) -> bool:
    letters = arabic = other = 0
    for char in text:
        if char.isalpha():
            letters += 1
            if "\u0600" <= char <= "\u06ff" or "\u0750" <= char <= "\u077f":
                arabic += 1
        if ord(char) > 127 and not ("\u0600" <= char <= "\u06ff") and not char.isspace():
            other += 1
    non_ascii = arabic + other
    return arabic >= 3 and arabic >= 0.5 * letters and other <= 0.1 * non_ascii


def clean_newlines(text: str) -> str:
    """CRLF (and a lone CR) -> LF; a leading BOM removed."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def decode(data: bytes) -> Decoded:
    """Decode a whole input file; raises :class:`UndecodableError` when unsure."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return Decoded(clean_newlines(data.decode("utf-16")), "utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return Decoded(clean_newlines(data.decode("utf-8")), "utf-8")
    except UnicodeDecodeError as exc:
        failure = exc
    try:
        text = data.decode("cp1256")
    except UnicodeDecodeError:
        text = ""
    if text and _looks_arabic(text):
        return Decoded(clean_newlines(text), "windows-1256")
    line = data.count(b"\n", 0, failure.start) + 1
    raise UndecodableError(line, data[failure.start])
