"""mpbook's benchmarks: ``make bench`` (``python -m bench``); docs/performance.md records their table."""
