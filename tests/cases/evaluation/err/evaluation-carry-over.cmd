etsl run plants.scheme --participants evaluation-carry-over.csv --engine reference
