"""Helpers every export uses."""

# Cells starting with these are run as formulas by spreadsheet programs
# (CSV injection); a leading apostrophe makes them text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text
