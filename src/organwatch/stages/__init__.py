"""Stage steps: the thin layer that reads a case, calls a pure stage core and writes its results.

Each stage core (``organwatch.text``, ``organwatch.search`` ...) is pure; the functions here are the
only place where its results meet the store, so re-running a stage is safe and explainable.
"""
