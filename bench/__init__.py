"""Benchmarks: commands that print their figures and write them as JSON to bench/results/.

None of these is a test: the machines are shared and noisy, so figures are reported, not
asserted. See BENCHMARKS.md for the latest figures and how to run them again.
"""
