etsl run plants.scheme --participants evaluation-division-by-zero.csv --engine reference
