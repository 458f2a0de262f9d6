"""Bytes -> text: find the real byte encoding of a page, whatever the headers claim."""
from __future__ import annotations

import codecs
import re
import unicodedata

CHARSET_IN_TYPE = re.compile(r'charset\s*=\s*["\']?([\w.:-]+)', re.I)
META_CHARSET = re.compile(rb'<meta[^>]+charset\s*=\s*["\']?([\w.:-]+)', re.I)
BOMS = ((codecs.BOM_UTF8, 'utf-8'), (codecs.BOM_UTF16_LE, 'utf-16-le'), (codecs.BOM_UTF16_BE, 'utf-16-be'))
# Share of undecodable UTF-8 sequences we still read as UTF-8 (a truncated or slightly damaged page).
UTF8_DAMAGE_TOLERANCE = 0.01
FALLBACK = 'windows-1258'   # Vietnamese portals that are not UTF-8 are almost always cp1258


def header_value(headers, name: str) -> str | None:
    """One header from a mapping or a list of pairs, case-insensitive; bytes tolerated."""
    if not headers:
        return None
    items = headers.items() if hasattr(headers, 'items') else headers
    name = name.lower()
    try:
        for key, value in items:
            key = key.decode('latin-1') if isinstance(key, bytes) else str(key)
            if key.lower() == name:
                if isinstance(value, (list, tuple)):
                    value = value[-1] if value else ''
                return value.decode('latin-1') if isinstance(value, bytes) else str(value)
    except (TypeError, ValueError):
        return None
    return None


def canonical_name(label: str | None) -> str | None:
    """Python codec name normalised to the WHATWG-style label ('utf-8', 'windows-1258')."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().lower()).name
    except LookupError:
        return None
    if name.startswith('cp12'):
        return 'windows-' + name[2:]
    return {'utf_8': 'utf-8', 'latin_1': 'iso-8859-1', 'iso8859-1': 'iso-8859-1'}.get(name, name.replace('_', '-'))


def declared_charsets(body: bytes, headers) -> tuple[str | None, str | None]:
    ctype = header_value(headers, 'content-type') or ''
    m = CHARSET_IN_TYPE.search(ctype)
    header_cs = canonical_name(m.group(1)) if m else None
    mm = META_CHARSET.search(body[:8192])
    meta_cs = canonical_name(mm.group(1).decode('ascii', 'replace')) if mm else None
    return header_cs, meta_cs


def _utf8_ok(body: bytes) -> bool:
    try:
        body.decode('utf-8')
        return True
    except UnicodeDecodeError as err:
        if _cut_character(body[err.start:]):    # a page truncated inside its last character
            return True
    text = body.decode('utf-8', 'replace')
    bad = text.count('\ufffd')
    high = sum(1 for b in body[:200_000] if b >= 0x80) or 1
    return bad / high <= UTF8_DAMAGE_TOLERANCE


def _cut_character(tail: bytes) -> bool:
    """The start of a UTF-8 multi-byte sequence with its end missing."""
    if not 1 <= len(tail) <= 3 or not 0xC2 <= tail[0] <= 0xF4:
        return False
    needed = 2 if tail[0] < 0xE0 else 3 if tail[0] < 0xF0 else 4
    return len(tail) < needed and all(0x80 <= b <= 0xBF for b in tail[1:])


def decode(body: bytes, headers=None) -> tuple[str, str]:
    """Return (NFC text, encoding name). Valid UTF-8 wins over any declaration (a wrong
    header is common); otherwise the declarations are tried, meta before header when the
    header claims UTF-8 that the bytes are not, then windows-1258."""
    for bom, enc in BOMS:
        if body.startswith(bom):
            return _nfc(body[len(bom):].decode(enc, 'replace')), enc
    header_cs, meta_cs = declared_charsets(body, headers)
    if _utf8_ok(body):
        encoding = 'utf-8'
    else:
        encoding = None
        for cs in (meta_cs, header_cs):
            if cs and cs != 'utf-8' and not cs.startswith('utf-16'):
                encoding = cs
                break
        encoding = encoding or FALLBACK
    try:
        text = body.decode(encoding, 'replace')
    except LookupError:
        encoding = FALLBACK
        text = body.decode(encoding, 'replace')
    return _nfc(text), encoding


def _nfc(text: str) -> str:
    if '\x00' in text:
        text = text.replace('\x00', '')
    return text if unicodedata.is_normalized('NFC', text) else unicodedata.normalize('NFC', text)
