etsl run prices.scheme --participants evaluation-outside-price-path.csv --system-data evaluation-outside-price-path.system.csv --engine reference
