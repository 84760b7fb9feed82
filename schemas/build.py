"""Regenerate schemas/tei_toolkit.rng from TEI's tei_all.rng (see tei_toolkit/schemas.py).

    python schemas/build.py ../shared/schemas/tei_all.rng
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tei_toolkit.validation.schemas import build_project_schema  # noqa: E402

if __name__ == "__main__":
    source = sys.argv[1] if len(sys.argv) > 1 else "../shared/schemas/tei_all.rng"
    out = Path(__file__).with_name("tei_toolkit.rng")
    out.write_bytes(build_project_schema(source))
    print(f"wrote {out} ({out.stat().st_size} bytes)")
