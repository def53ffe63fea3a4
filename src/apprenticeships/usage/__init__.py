"""Key usage: hourly request counts per key and status class, and what the portal reads
from them (requests and 429s in the last 24 hours, requests per hour for 7 days).

The gateway gathers the counts in memory and adds them here in batches
(``gateway/usage.py``); this package owns their table's SQL, the status classes and the
reads.
"""
