"""Errors and warnings raised by cskit.

Every error cskit raises derives from :class:`CskitError`; the subclasses
that describe bad input also derive from the matching builtin, so callers
may keep catching ``KeyError`` or ``ValueError``.
"""

from __future__ import annotations

__all__ = [
    "CskitError",
    "MissingColumnError",
    "InvalidInputError",
    "SchemaValidationError",
    "ConfigurationError",
    "WorkspaceError",
    "NotebookExecutionError",
    "BatchError",
    "NotFittedError",
    "CskitWarning",
    "DataQualityWarning",
]


class CskitError(Exception):
    """Base class of every error raised by cskit."""


class MissingColumnError(CskitError, KeyError):
    """A table lacks a column that a computation needs.

    Attributes
    ----------
    column : str
        The missing column.
    frame : str
        The table (or file) it was looked for in.
    found : list of str
        The columns that are present.
    """

    def __init__(self, column: str, *, frame: str, found: list[str], hint: str = ""):
        self.column = column
        self.frame = frame
        self.found = list(found)
        hint = hint or "Rename the column or map it in the mapping file."
        message = (
            f"column {column!r} is missing from {frame}; the columns present are "
            f"{self.found}. {hint}"
        )
        super().__init__(message)

    def __str__(self) -> str:
        return str(self.args[0])


class InvalidInputError(CskitError, ValueError):
    """A value cskit received cannot be used as it is."""


class SchemaValidationError(InvalidInputError):
    """A table failed the data contract.

    Attributes
    ----------
    table : str
        The canonical table that was validated.
    source : str
        The file (or other source) the rows came from.
    problems : pandas.DataFrame
        One row per problem, with columns ``file``, ``column``, ``row`` (the
        1-based line number in the file, the header being line 1), ``value``
        and ``problem`` (what is wrong and what to do).
    """

    def __init__(self, table: str, source: str, problems):
        self.table = table
        self.source = source
        self.problems = problems
        super().__init__(self._message())

    def _message(self) -> str:
        count = len(self.problems)
        lines = [f"{self.source}: {count} problem(s) in table {self.table!r}:"]
        for record in self.problems.head(20).itertuples(index=False):
            where = "file" if _missing(record.row) else f"row {int(record.row)}"
            value = "(blank)" if _missing(record.value) else repr(record.value)
            lines.append(
                f"  {record.file}, column {record.column!r}, {where}, "
                f"value {value}: {record.problem}"
            )
        if count > 20:
            lines.append(f"  ... and {count - 20} more (see the error's .problems)")
        return "\n".join(lines)


def _missing(value) -> bool:
    return value is None or value != value


class ConfigurationError(InvalidInputError):
    """A parameter file, mapping file or option is not valid."""


class WorkspaceError(CskitError):
    """The workspace is missing, not initialised or cannot be opened."""


class NotebookExecutionError(CskitError):
    """A workbook failed while running for an account.

    Attributes
    ----------
    notebook : str
        The executed notebook kept as the log of the failure.
    cell : int or None
        The index of the failing cell, when known.
    """

    def __init__(self, message: str, *, notebook: str, cell: int | None = None):
        self.notebook = notebook
        self.cell = cell
        super().__init__(message)


class BatchError(CskitError):
    """One or more accounts of a batch run failed; the others completed."""


class NotFittedError(CskitError, ValueError):
    """An estimator was used before ``fit`` was called."""


class CskitWarning(UserWarning):
    """Base class of every warning issued by cskit."""


class DataQualityWarning(CskitWarning):
    """A result could be computed but its input makes it suspect."""
