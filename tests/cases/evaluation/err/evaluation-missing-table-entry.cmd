python evaluation-missing-table-entry.py
