"""ETSL, the Emissions Trading Scheme Language: the public Python API.

>>> import etsl
>>> scheme = etsl.load("schemes/japan/tokyo_cat.scheme")
>>> scheme.model.name
'tokyo_cat'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from etsl.api import DataError, Scheme, SchemeError
    from etsl.compiler.errors import EtslError

__all__ = ["DataError", "EtslError", "Scheme", "SchemeError", "check", "load"]


def __getattr__(name: str) -> object:
    """Import the API lazily so `etsl --help` stays fast."""
    if name == "EtslError":
        from etsl.compiler.errors import EtslError

        return EtslError
    if name in __all__:
        from etsl import api

        return getattr(api, name)
    raise AttributeError(name)
