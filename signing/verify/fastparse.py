"""A fast path for reading the objects of an object stream, identical to pyHanko's reader.

pyHanko parses an object byte by byte in Python (``generic.read_object``):
about 150 µs for a structure element, most of the time spent verifying a
tagged document (4,900 objects for a 21-page grid: 0.8 s before any analysis).
:func:`read_simple_object` reads the same objects with regular expressions
over the decompressed stream, for a strict subset of the syntax: names
without ``#`` escapes, integers and decimals, references, arrays,
dictionaries, ``true``, ``false``, ``null`` (literal and hexadecimal strings
are handed to pyHanko's own functions).  It builds the same pyHanko objects
(types, values, key order, ``container_ref``) and gives up, returning
:data:`FALLBACK`, on anything else — comments, escapes, duplicate keys, a
``stream`` keyword, unusual whitespace, deep nesting, any error — so that the
caller reads the object with pyHanko: the objects read are always the ones
pyHanko would read (the tests compare both on every object of the fixtures).
"""
from __future__ import annotations

import binascii
import re
from io import BytesIO

from pyhanko.pdf_utils import generic

FALLBACK = object()
MAX_DEPTH = 64

# One token, after PDF whitespace (misc.PDF_WHITESPACE; a comment '%' matches nothing: fallback).
_TOKEN = re.compile(
    rb"[ \n\r\t\f\x00]*(?:"
    rb"(/[^\x00-\x20\x7f-\xff()<>\[\]{}/%#]*)(?=[ \n\r\t\f\x00()<>\[\]{}/%]|\Z)"  # 1: name, no escape
    rb"|(\d+)[ \n\r\t\f]+(\d+)[ \n\r\t\f]+R(?=[^a-zA-Z])"  # 2, 3: reference
    rb"|([+\-.0-9][+,\-.0-9]*)"  # 4: number (generic.NumberObject.NumberPattern's complement)
    rb"|(<<)|(>>)|(\[)|(\])"  # 5-8
    rb"|(true|false|null)"  # 9
    rb"|([(<])"  # 10: a string, read by pyHanko
    rb")"
)
_WS = re.compile(rb"[ \n\r\t\f\x00]*")
# Strings pyHanko reads byte for byte without interpretation: hexadecimal digits and PDF whitespace
# (no comment), a literal string without parenthesis or backslash.
_HEX = re.compile(rb"<([0-9A-Fa-f \n\r\t\f\x00]*)>")
_HEX_SPACE = re.compile(rb"[ \n\r\t\f\x00]+")
_LITERAL = re.compile(rb"\(([^()\\]*)\)")
_LEADING = frozenset(b" \n\r\t\f\x00%")
_AFTER_DICT = frozenset(b" \n\r\t\f\x00s%")  # what may announce a stream after '>>'


class _Fallback(Exception):
    pass


def _parse(data: bytes, pos: int, container_ref, handler, refs: dict):
    NameObject, NumberObject, FloatObject = generic.NameObject, generic.NumberObject, generic.FloatObject
    IndirectObject, DictionaryObject, ArrayObject = generic.IndirectObject, generic.DictionaryObject, generic.ArrayObject
    Reference = generic.Reference
    new, new_int, new_dict = object.__new__, int.__new__, dict.__new__
    set_entry = dict.__setitem__  # the keys are names already: DictionaryObject's own checks are moot
    indirect_pattern = generic.INDIRECT_PATTERN
    spaces = _SPACES
    match = _TOKEN.match
    size = len(data)
    stack: list = []  # the enclosing containers: (container, is_dict, pending key)
    container = None  # the container being read (None: the object itself)
    is_dict = False
    key = None  # a dictionary's key waiting for its value
    bio = None
    while True:
        m = match(data, pos)
        if m is None:
            raise _Fallback
        kind = m.lastindex
        pos = m.end()
        if is_dict and key is None:  # a dictionary's key, or its end
            if kind == 1:
                key = NameObject(m.group(1).decode("ascii"))
                continue
            if kind != 6:
                raise _Fallback
            if pos < size and data[pos] in _AFTER_DICT:
                after = _WS.match(data, pos).end()
                if data[after:after + 1] in (b"s", b"%"):
                    raise _Fallback  # perhaps a stream: pyHanko decides
            obj = container
            container, is_dict, key = stack.pop()
        elif kind == 1:
            obj = NameObject(m.group(1).decode("ascii"))
        elif kind == 3:
            # pyHanko reads a reference when generic.INDIRECT_PATTERN matches within 20 bytes; where
            # the token's stricter pattern (no \v) matched, it matches the same bytes: within 20 bytes
            # when the character after R is
            if pos + 1 - m.start(2) > 20:
                raise _Fallback
            idnum = int(m.group(2))
            if idnum <= 0:
                raise _Fallback
            generation = int(m.group(3))
            # IndirectObject(idnum, generation, handler), without rebuilding an equal Reference each time
            ref = refs.get((idnum, generation))
            if ref is None:
                ref = refs[(idnum, generation)] = Reference(idnum, generation, handler)
            obj = new(IndirectObject)
            obj.reference = ref
        elif kind == 4:
            token = m.group(4)
            # pyHanko would read a reference here if its pattern matched: digits, then \s
            if pos < size and data[pos] in spaces and token.isdigit():
                start = m.start(4)
                if indirect_pattern.match(data, start, start + 20) is not None:
                    raise _Fallback
            if b"." in token:
                obj = FloatObject(token.decode("ascii"))
            else:
                obj = new_int(NumberObject, int(token))  # NumberObject(token): int(token), unchecked
        elif kind == 5:
            if len(stack) >= MAX_DEPTH:
                raise _Fallback
            stack.append((container, is_dict, key))
            is_dict = True
            container = new_dict(DictionaryObject)  # DictionaryObject(): its __init__ adds nothing
            key = None
            continue
        elif kind == 7:
            if len(stack) >= MAX_DEPTH:
                raise _Fallback
            stack.append((container, is_dict, key))
            is_dict = False
            container = ArrayObject()
            key = None
            continue
        elif kind == 8:
            if container is None or is_dict:
                raise _Fallback
            obj = container
            container, is_dict, key = stack.pop()
        elif kind == 9:
            word = m.group(9)
            obj = generic.NullObject() if word == b"null" else generic.BooleanObject(word == b"true")
        elif kind == 10:
            start = m.start(10)
            literal = data[start] == 0x28
            simple = (_LITERAL if literal else _HEX).match(data, start)
            if simple is not None:
                raw = simple.group(1)
                if not literal:  # as generic.read_hex_string_from_stream
                    raw = _HEX_SPACE.sub(b"", raw)
                    raw = binascii.unhexlify(raw + b"0" if len(raw) % 2 else raw)
                obj = generic.pdf_string(raw)
                pos = simple.end()
            else:  # escapes, nested parentheses, comments: pyHanko's own reading
                if bio is None:
                    bio = BytesIO(data)
                bio.seek(start)
                obj = (generic.read_string_from_stream if literal else generic.read_hex_string_from_stream)(bio)
                pos = bio.tell()
        else:  # '>>' outside a dictionary's key position
            raise _Fallback
        obj.container_ref = container_ref
        if container is None:
            return obj
        if is_dict:
            if key in container:
                raise _Fallback  # a repeated key: pyHanko keeps the first and logs a warning
            set_entry(container, key, obj)
            key = None
        else:
            container.append(obj)


_SPACES = frozenset(b" \t\n\r\f\v")  # \s in generic.INDIRECT_PATTERN


def read_simple_object(data: bytes, pos: int, container_ref, handler, refs: dict | None = None):
    """The object at ``pos`` of an object stream's data as ``generic.read_object`` would read it
    (``container_ref``: the object's reference), or :data:`FALLBACK`.  ``refs``: the references
    already built for ``handler`` (``{(idnum, generation): Reference}``), shared by the objects read."""
    if pos >= len(data) or data[pos] in _LEADING:
        return FALLBACK  # pyHanko does not skip leading whitespace: its own reading decides
    try:
        return _parse(data, pos, container_ref, handler, {} if refs is None else refs)
    except Exception:  # noqa: BLE001 - anything unusual or wrong: pyHanko's reading decides
        return FALLBACK
