"""Benchmarks of the platform. They are run with ``make bench``; none of this is shipped."""
