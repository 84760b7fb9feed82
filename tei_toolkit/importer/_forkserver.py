"""Imported by the multiprocessing fork server that starts the import workers, and only there.

Ctrl-C or SIGTERM reaches the whole process group, the fork server too. Python's fork server
ignores SIGINT but dies of SIGTERM, and if it dies while it is starting a replacement worker,
the pool's thread waits forever for the worker's pid: the batch hangs. So the fork server
ignores SIGTERM; it leaves when the importing process does, as it always does (its "alive"
pipe closes). Workers set their own SIGTERM handler when they start (batch._init).
"""

import importlib
import signal

signal.signal(signal.SIGTERM, signal.SIG_IGN)
importlib.import_module("tei_toolkit.importer.batch")  # the workers' modules, loaded once
