"""The ETSL runtime: engines, participant data, explanations, documents and linkage."""
