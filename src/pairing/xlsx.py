"""A documented path; the code lives in :mod:`pairing.io.xlsx`."""

from pairing.io.xlsx import RULE_SHEETS, load_workbook, write_workbook

__all__ = ["RULE_SHEETS", "load_workbook", "write_workbook"]
