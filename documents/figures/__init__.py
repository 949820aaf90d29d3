"""The figures kit: every SVG ETSL draws, built from the same small pieces.

- `svg`: coordinates, text, the `<svg>` element, standalone files
- `scales`: linear scales, round ticks, short axis labels
- `palette`: colours (colour-blind safe) and what each means
- `legend`: swatch legends
- `line_chart`: lines over years or over named values (scheme pages, sweeps)
- `timeline`: periods on a calendar axis
- `lanes`: several rows of bars on one calendar axis, with marks joining rows at a date
- `graph`: the rule dependency graph
- `network`: the link network of several schemes
- `scheme`: which figures a scheme model gives data for
- `comparison`: which charts a comparison draws, with what each leaves out and why

Every figure is SVG markup built from exact decimals (coordinates rounded to one decimal
place when written); every text is escaped; no scripts, no external references.
"""
