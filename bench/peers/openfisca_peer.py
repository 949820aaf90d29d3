"""OpenFisca-core peer: the same variables on a ``facility`` entity, year period.

OpenFisca has no five-year period: all inputs are set on one year and the
five-year arithmetic lives in the formulas. Float variables use OpenFisca's
default float32 storage unless ``force_float64`` is set. openfisca-core is
imported lazily; when it cannot be imported, ``status()`` says "unavailable"
and ``evaluate`` raises ``PeerUnavailable``.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

Arrays = dict[str, np.ndarray]
YEAR = "2024"
FLOAT_INPUTS = ("base_emissions", "emissions", "outside_credits")
OUTPUTS = ("cap", "required_reduction", "eligible_outside", "shortfall", "order", "fine")


class PeerUnavailable(RuntimeError):
    """openfisca-core is not importable here."""


@functools.cache
def _import_error() -> str | None:
    try:
        import openfisca_core.taxbenefitsystems  # noqa: F401
    except Exception as exc:  # noqa: BLE001 - any import failure means unavailable
        return f"{type(exc).__name__}: {exc}"
    return None


def status() -> str:
    """'available', or 'unavailable: <reason>'."""
    error = _import_error()
    return "available" if error is None else f"unavailable: {error}"


def available() -> bool:
    return _import_error() is None


def _formulas(office_value: Any) -> list[Any]:
    """The rule set as OpenFisca formulas ``(facility, period) -> array``."""

    def cap(f: Any, p: Any) -> Any:
        factor = np.where(f("category", p) == office_value, 0.92, 0.94)
        return np.floor(f("base_emissions", p) * 5 * factor)

    def required_reduction(f: Any, p: Any) -> Any:
        return f("base_emissions", p) * 5 - f("cap", p)

    def eligible_outside(f: Any, p: Any) -> Any:
        return np.minimum(f("outside_credits", p), f("required_reduction", p) / 3)

    def shortfall(f: Any, p: Any) -> Any:
        return np.maximum(0.0, f("emissions", p) - f("cap", p) - f("eligible_outside", p))

    def order(f: Any, p: Any) -> Any:
        return np.ceil(1.3 * f("shortfall", p))

    def fine(f: Any, p: Any) -> Any:
        return np.where(f("shortfall", p) > 0, 500_000.0, 0.0)

    return [cap, required_reduction, eligible_outside, shortfall, order, fine]


@functools.cache
def system(force_float64: bool = False) -> Any:
    """A TaxBenefitSystem with one person entity ``facility`` (cached)."""
    if not available():
        raise PeerUnavailable(status())
    from openfisca_core.entities import build_entity
    from openfisca_core.indexed_enums import Enum
    from openfisca_core.periods import DateUnit
    from openfisca_core.taxbenefitsystems import TaxBenefitSystem
    from openfisca_core.variables import Variable

    facility = build_entity("facility", "facilities", "Facility", is_person=True)
    category = Enum("Category", {"office": "office", "factory": "factory"})

    def variable(name: str, value_type: type, **attrs: Any) -> type:
        base = {
            "value_type": value_type,
            "entity": facility,
            "label": name,
            "definition_period": DateUnit.YEAR,
        }
        return type(name, (Variable,), {**base, **attrs})

    tbs = TaxBenefitSystem([facility])
    tbs.add_variable(
        variable("category", Enum, possible_values=category, default_value=category.office)
    )
    for name in FLOAT_INPUTS:
        tbs.add_variable(variable(name, float))
    for formula in _formulas(category.office):
        tbs.add_variable(variable(formula.__name__, float, formula=formula))
    if force_float64:
        for name in (*FLOAT_INPUTS, *OUTPUTS):
            tbs.variables[name].dtype = np.float64
    return tbs


def simulation(table: Arrays, force_float64: bool = False) -> Any:
    """A fresh simulation with the table's inputs set for ``YEAR``."""
    tbs = system(force_float64)  # raises PeerUnavailable first
    from openfisca_core.simulations import SimulationBuilder

    sim = SimulationBuilder().build_default_simulation(tbs, count=len(table["id"]))
    category = tbs.variables["category"].possible_values
    sim.set_input("category", YEAR, category.encode(np.asarray(table["category"])))
    for name in FLOAT_INPUTS:
        sim.set_input(name, YEAR, table[f"{name}_t10"] / 10.0)
    return sim


def evaluate(table: Arrays, force_float64: bool = False) -> Arrays:
    """Evaluate a benchmark table; float32 storage unless ``force_float64``."""
    sim = simulation(table, force_float64)
    return {name: np.asarray(sim.calculate(name, YEAR)) for name in OUTPUTS}
