"""Benchmarks: each module compares Greffier with a baseline run side by side in the same process."""
