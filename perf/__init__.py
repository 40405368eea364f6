"""Performance scripts, run by hand (`python -m perf.<name>`); each writes its table to docs/performance.md."""
