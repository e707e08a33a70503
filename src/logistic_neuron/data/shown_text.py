"""Untrusted text made safe to show: control characters made visible, never obeyed.

Class names, file names and metadata strings come from files anyone can craft.
Printed raw, an escape sequence in a class name can retitle the terminal, move
the cursor or forge earlier output, and a newline in a file name splits one
prediction into two lines. :func:`shown` replaces every control character
(C0, DEL, C1), line and paragraph separators and bidirectional overrides by a
visible escape (``\\x1b``, ``\\n``, ``\\u202e``), so one value stays on one
line and means what it shows. The command line uses it for everything it prints
about files; pictures use it for their titles (a font has no glyph for ESC).

Written by hand: the standard library's ``repr`` escapes too much (quotes,
every non-ASCII letter) for names meant to be read.
"""

from __future__ import annotations

import unicodedata

#: Invisible characters that reorder or split text: bidi embeddings, overrides, isolates.
_INVISIBLE = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def shown(text: object) -> str:
    """``text`` with every control or invisible-formatting character made visible.

    Examples
    --------
    >>> shown("cat\\x1b]0;pwned\\x07")
    'cat\\\\x1b]0;pwned\\\\x07'
    >>> shown("a.png\\nb.png: cat")
    'a.png\\\\nb.png: cat'
    >>> shown("chat noir")
    'chat noir'
    """
    value = str(text)
    if value.isprintable():  # the common case: nothing to do
        return value
    return "".join(
        _escape(char)
        if char in _INVISIBLE or unicodedata.category(char) in ("Cc", "Zl", "Zp")
        else char
        for char in value
    )
