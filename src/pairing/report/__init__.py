"""The programme manager's report: one self-contained HTML page per result.

:func:`render_report` builds it; :func:`unmatched_reasons` explains, for every enterprise left
without a partner, which rule or which better pair kept it out.
"""

from pairing.report.html import render_report, report_context
from pairing.report.unmatched import UnmatchedReason, unmatched_reasons

__all__ = ["UnmatchedReason", "render_report", "report_context", "unmatched_reasons"]
