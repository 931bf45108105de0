"""CSV files that people open in a spreadsheet program."""
import csv
import io
from collections.abc import Iterable
from typing import Any

# Spreadsheet programs run a cell starting with these as a formula (names come from residents).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe, which keeps it text."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def excel_csv(rows: Iterable[Iterable[Any]]) -> str:
    """Semicolons and a byte-order mark: a Swedish Excel opens it as columns with å, ä and ö intact.

    Every cell goes through safe_cell.
    """
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return out.getvalue()
