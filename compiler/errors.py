"""The one base of every exception class ETSL defines.

User mistakes in schemes are Diagnostic values, never exceptions (compiler/diagnostics.py).
Exceptions are for callers of the Python API (a scheme that does not compile, data that
cannot be read, an unknown engine, a missing optional package) and for signals the engines
raise and catch internally (a value that cannot be computed, a construct the columnar
engine cannot represent). Catching `EtslError` catches all of them; anything else that
escapes is a bug.
"""

from __future__ import annotations


class EtslError(Exception):
    """Base of every exception ETSL raises."""
