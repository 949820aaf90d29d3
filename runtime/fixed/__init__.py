"""The fixed-point engine: a Program evaluated over whole columns of numpy integers.

Every number is a scaled integer (value × 10^scale) whose scale and range are known before
evaluation (runtime/fixed/ranges.py proves them from the Program and the data's minimum and
maximum); an operation runs on int64 arrays where the proof says nothing can overflow, on
two int64 limbs (runtime/fixed/pairs.py) where the value fits those, and on Python integers
(numpy object arrays) otherwise, so every value is exact whichever it is.
runtime/fixed/evaluate.py has one rule per Program node, runtime/fixed/engine.py reads the
data, hands rows it cannot compute to the reference engine and says why a run goes to the
columnar engine instead (docs/fixed.md).
"""
