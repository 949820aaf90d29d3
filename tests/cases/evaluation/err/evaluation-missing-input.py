"""A Dataset built in Python whose record lacks an input the cap needs."""
from decimal import Decimal

from etsl.runtime.records import Dataset, Record

import etsl

scheme = etsl.load("plants.scheme")
record = Record("P1", "y2020", {"category": "steel", "emissions": Decimal(1800)})
results = scheme.run(Dataset((record,)))
print("\n".join(error.render() for error in results.errors))
