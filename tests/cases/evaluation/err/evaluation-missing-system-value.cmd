etsl run prices.scheme --participants evaluation-missing-system-value.csv --engine reference
