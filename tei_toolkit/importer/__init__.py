"""The importer: plain-text exports of archive pages into TEI P5 (the README's Development
map lists its modules)."""

# The largest export converted. A conversion holds the text, its parse and the TEI tree at
# once: about 12 times the export's size at this limit, twice what lxml alone needs to parse
# the TEI written (tests/bench/bench_import.py --memory). Archive pages are a few kilobytes;
# a larger export fails with a clear error before it is read. (Here, not in convert.py: the
# command line reads it for --max-size without loading the importer.)
MAX_SOURCE_BYTES = 32 << 20
