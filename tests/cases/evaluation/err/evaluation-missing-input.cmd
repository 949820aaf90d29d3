python evaluation-missing-input.py
