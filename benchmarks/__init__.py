"""Speed benchmarks for the course's ``common`` package (run by hand: ``python -m benchmarks``).

See benchmarks/README.md for what is measured, how, and the latest numbers.
"""
