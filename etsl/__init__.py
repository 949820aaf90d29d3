"""ETSL, the Emissions Trading Scheme Language: the public Python API.

>>> import etsl
>>> scheme = etsl.load("schemes/japan/tokyo_cat.scheme")
>>> scheme.model.name
'tokyo_cat'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from etsl.api import Scheme, SchemeError

__all__ = ["Scheme", "SchemeError", "check", "load"]


def __getattr__(name: str) -> object:
    """Import the API lazily so `etsl --help` stays fast."""
    if name in __all__:
        from etsl import api

        return getattr(api, name)
    raise AttributeError(name)
