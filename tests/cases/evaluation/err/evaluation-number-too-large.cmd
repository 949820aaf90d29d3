etsl run plants.scheme --participants evaluation-number-too-large.csv --engine reference
