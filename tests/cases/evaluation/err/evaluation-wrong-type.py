"""A Dataset built in Python with a binary float where an exact decimal is needed."""
from decimal import Decimal

from etsl.runtime.records import Dataset, Record

import etsl

scheme = etsl.load("plants.scheme")
values = {"category": "steel", "emissions": 1800.5, "output": Decimal(1000),
          "places": Decimal(2), "factor": Decimal(1)}
results = scheme.run(Dataset((Record("P1", "y2020", values),)))
print("\n".join(error.render() for error in results.errors))
