"""The shortened time limits of the hanging notify worker (hanging_notify_worker.py), apart
from it: importing that module connects a signal handler that hangs every "case routed" task
run in the importing process, so the test reads its limits from here."""

SOFT, HARD = 3, 5
