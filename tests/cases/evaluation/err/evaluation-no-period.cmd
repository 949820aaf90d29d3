etsl run noperiod.scheme --participants evaluation-no-period.csv --engine reference
