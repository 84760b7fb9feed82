"""tei_toolkit: import archival text exports into TEI P5, validate TEI, hand it off.

The command line (``tei``) is a thin layer over this API::

    from tei_toolkit import import_text, reading
    result = import_text(open("doc.txt", "rb").read(), "doc.txt")
    print(result.xml.decode())
"""

__version__ = "0.1.0"

from .convert import ImportResult, default_lexicon, import_file, import_text, write_atomic  # noqa: E402
from .errors import (  # noqa: E402
    Finding, LexiconError, Location, OutputError, ProfileError, SetupError, SourceError,
    TeiInputError, TeiToolkitError,
)
from .lexicon import Lexicon  # noqa: E402
from .profile import Profile  # noqa: E402
from .readings import normalize_source, read_tei, reading  # noqa: E402

__all__ = [
    "Finding", "ImportResult", "Lexicon", "LexiconError", "Location", "OutputError", "Profile",
    "ProfileError", "SetupError", "SourceError", "TeiInputError", "TeiToolkitError",
    "__version__", "default_lexicon", "import_file", "import_text", "normalize_source",
    "read_tei", "reading", "write_atomic",
]
