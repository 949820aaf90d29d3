"""`etsl simulate`: a scheme's system level year by year, with a market and prices.

- `scenario`: the scenario file (TOML, validated with pydantic)
- `bind`: the scenario checked against the schemes it simulates
- `curves`: marginal abatement cost curves
- `solve`: the balance and the price search (one scheme, or linked ones)
- `report`: tables, checks against published figures, files
"""
