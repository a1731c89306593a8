"""The programme manager's report: one self-contained HTML page per result.

:func:`render_report` builds it; :func:`unmatched_reasons` explains, for every enterprise left
without a partner, which rule or which better pair kept it out.

The HTML page and its charts (matplotlib, the ``report`` extra) load on first use, so that
:mod:`pairing.report.unmatched` (used by table and workbook outputs) does not import them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pairing.report.html import render_report, report_context
    from pairing.report.unmatched import UnmatchedReason, unmatched_reasons

_LAZY = {
    "render_report": "pairing.report.html",
    "report_context": "pairing.report.html",
    "UnmatchedReason": "pairing.report.unmatched",
    "unmatched_reasons": "pairing.report.unmatched",
}


def __getattr__(name: str) -> object:
    """Import a public name's module on first use."""
    module = _LAZY.get(name)
    if module is None:
        msg = f"module 'pairing.report' has no attribute {name!r}"
        raise AttributeError(msg)
    return getattr(import_module(module), name)


__all__ = ["UnmatchedReason", "render_report", "report_context", "unmatched_reasons"]
