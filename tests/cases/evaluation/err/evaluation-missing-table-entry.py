"""A Dataset built in Python with a category the benchmark table has no row for."""
from decimal import Decimal

from etsl.runtime.records import Dataset, Record

import etsl

scheme = etsl.load("plants.scheme")
values = {"category": "glass", "emissions": Decimal(900), "output": Decimal(1000),
          "places": Decimal(2), "factor": Decimal(1)}
results = scheme.run(Dataset((Record("P1", "y2020", values),)))
print("\n".join(error.render() for error in results.errors))
