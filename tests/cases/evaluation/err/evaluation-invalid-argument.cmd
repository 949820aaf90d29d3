etsl run plants.scheme --participants evaluation-invalid-argument.csv --engine reference
