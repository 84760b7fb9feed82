"""Imported by the multiprocessing fork server that starts the import workers, and only there.

Ctrl-C or SIGTERM reaches the whole process group, the fork server too. Python's fork server
ignores SIGINT but dies of SIGTERM, and if it dies while it is starting a replacement worker,
the pool's thread waits forever for the worker's pid: the batch hangs. So the fork server
blocks SIGTERM; it leaves when the importing process does, as it always does (its "alive"
pipe closes). Blocked, not ignored: the workers it forks inherit the block, and a SIGTERM
that reaches one before it has set its own handler (batch._init_worker) waits until then
instead of being lost (an ignored one left a worker the pool was waiting for: a hang).
"""

import importlib
import signal

signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
importlib.import_module("tei_toolkit.importer.batch")  # the workers' modules, loaded once
