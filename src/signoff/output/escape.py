"""Show paths to people safely: control characters, bidi overrides, zero-width characters and
undecodable bytes are escaped, so a name cannot hide, reorder or forge what a reviewer reads."""

from __future__ import annotations

import unicodedata

_INVISIBLE = {0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD}
_BIDI = set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A)) | {0x200E, 0x200F, 0x061C}


def display(path: str) -> str:
    if path.isascii() and path.isprintable() and "\\" not in path:
        return path  # nothing to escape (the common case, checked in C)
    out: list[str] = []
    for ch in path:
        cp = ord(ch)
        if 0xDC80 <= cp <= 0xDCFF:  # surrogateescape: an undecodable byte
            out.append(f"\\x{cp - 0xDC00:02x}")
        elif ch == "\\":
            out.append("\\\\")
        elif cp < 0x20 or cp == 0x7F:
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(ch, f"\\x{cp:02x}"))
        elif (
            cp in _INVISIBLE or cp in _BIDI or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")
        ):
            out.append(f"\\u{cp:04x}")
        else:
            out.append(ch)
    return "".join(out)
