"""Peer implementations of the Tokyo-like benchmark, for comparison with ETSL.

Modules: ``numpy_float``, ``numpy_fixed``, ``python_decimal`` (exact oracle),
``pandas_script`` (end-to-end CSV), ``openfisca_peer`` (lazy, may be
unavailable) and ``compare`` (mismatch counting).
"""

from __future__ import annotations

PEERS = ("numpy_float", "numpy_fixed", "python_decimal", "pandas_script", "openfisca_peer")
