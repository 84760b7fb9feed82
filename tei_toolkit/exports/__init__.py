"""TEI to what other tools read: readings, CMIF, a reading edition in HTML, a letters table.

The facts the command line shows for every command (its options' choices and defaults) live
here, so that `tei` starts without loading the formats (``handoff`` imports them when one is
made).
"""

#: The readings of a document ``tei export --to text`` writes (:func:`.readings.reading`).
READINGS = ("source", "corrected")
#: The licence a CMIF file states unless told otherwise (:func:`.cmif.build_cmif`).
DEFAULT_LICENCE = "https://creativecommons.org/licenses/by/4.0/"
