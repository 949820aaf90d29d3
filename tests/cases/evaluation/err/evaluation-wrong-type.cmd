python evaluation-wrong-type.py
