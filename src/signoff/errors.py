"""The errors signoff raises on purpose, caught once at each shell's boundary.

    Error                    any input or environment problem a person can fix
    ├── GitError             git failed, a ref is unknown, not a repository, shallow clone
    ├── ConfigError          policy or registry is malformed (file, line, column, field)
    ├── SignatureError       ssh-keygen missing or a key is unusable
    └── StoreError           the ledger's database cannot be reached or is inconsistent

Any other exception is a bug, not a user error. Leaf errors build their own message so the CLI and
the API word it the same way.
"""

from __future__ import annotations


class Error(Exception):
    """Base of every error a person can act on; ``str(err)`` is the one-line message."""

    def diagnostics(self) -> str:
        """A one-line message, plus a hint when the error carries one."""
        hint = getattr(self, "hint", None)
        return f"{self}\n  hint: {hint}" if hint else str(self)


class GitError(Error):
    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class ConfigError(Error):
    """A policy or registry problem located at ``file:line:column`` and a field path."""

    def __init__(
        self,
        message: str,
        *,
        file: str = "",
        line: int | None = None,
        column: int | None = None,
        field: str = "",
        hint: str | None = None,
    ) -> None:
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.hint = hint
        self.message = message
        where = file or "<policy>"
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        text = f"{where}: {field + ': ' if field else ''}{message}"
        if hint:
            text += f" ({hint})"
        super().__init__(text)

    def diagnostics(self) -> str:
        return str(self)


class SignatureError(Error):
    pass


class StoreError(Error):
    pass
