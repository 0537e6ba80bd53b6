"""Text as a multi-pattern engine reads it: plain ASCII, one byte for each character.

Python's regular expressions on `str` see Unicode: `\\w`, `\\s` and `\\d` take in letters, spaces
and digits of every script, and IGNORECASE folds the long s, the Kelvin sign and the dotted and
dotless i to ASCII letters. Hyperscan (the engine behind `signoff.analysis._secrets_scan` and
`signoff.classify._content_engine`) reads bytes, with ASCII classes and ASCII case folding. So
each other character is shown to it as a plain stand-in (`stand_in`) that every pattern element
matching the original matches too, and a character stays one character: bounded repeats and
word boundaries keep their meaning. The engine's answer can then only be wider than Python's,
never narrower; the callers run Python's regex on the original text to decide.
"""

from __future__ import annotations

import codecs
import re
from functools import cache

__all__ = ["plain_view", "stand_in"]

_FOLDS_TO_ASCII = re.compile("[a-z]", re.IGNORECASE)
_CLASSES = ((re.compile(r"\d"), "0"), (re.compile(r"\s"), " "), (re.compile(r"\w"), "a"))


@cache
def stand_in(char: str) -> str:
    """The plain character the engine sees for `char`: the ASCII letter it case-folds to in
    Python (long s, Kelvin sign, dotted and dotless i), else "0" for a digit, a space for a
    space, "a" for another word character, "%" for anything else. A Python class or category
    that matches `char` matches its stand-in in the engine's translation (the secrets
    translation refuses negated classes that would exclude a stand-in)."""
    if char.isascii() and _FOLDS_TO_ASCII.fullmatch(char):
        return char.lower()
    if _FOLDS_TO_ASCII.fullmatch(char):
        return next(c for c in "abcdefghijklmnopqrstuvwxyz" if re.fullmatch(c, char, re.I))
    for pattern, plain in _CLASSES:
        if pattern.fullmatch(char):
            return plain
    return "%"


def _stand_ins(err: UnicodeError) -> tuple[str, int]:
    """Codec error handler: the stand-ins of the characters ASCII cannot encode."""
    if not isinstance(err, UnicodeEncodeError):
        raise err
    return "".join(map(stand_in, err.object[err.start : err.end])), err.end


codecs.register_error("signoff-plain-stand-in", _stand_ins)
#: ASCII control characters (but tab and line feed) to their stand-ins, byte for byte.
_CONTROLS = bytes(
    ord(stand_in(chr(b))) if (b < 0x20 and b not in (0x09, 0x0A)) or b == 0x7F else b
    for b in range(256)
)


def plain_view(text: str) -> bytes:
    """`text` as the engine reads it: stand-ins for the characters it would read otherwise."""
    return text.encode("ascii", "signoff-plain-stand-in").translate(_CONTROLS)
