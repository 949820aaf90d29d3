"""The ETSL compiler: .scheme text to a checked scheme model and rule graph."""
