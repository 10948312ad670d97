"""Experiment suites: run every cell × repeat, list finished runs, write REPORT.md with statistics."""
