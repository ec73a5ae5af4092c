"""Convert UPR Info's exports in ../shared into the bundle shipped in src/uprwatch/data/upr-info/.

    python tools/convert_upr_info.py [SHARED_DATA_DIR]

The output is deterministic (same input, same bytes). Rows are validated on the way: an unknown
state name or a malformed row stops the conversion with the file and line.
"""

from __future__ import annotations

import sys
from pathlib import Path

from uprwatch.records.upr_info import PLEDGES_BUNDLE, RECOMMENDATIONS_BUNDLE, read_upr_info_csv, write_bundle


def main(shared: Path) -> None:
    upr_info = shared / "upr-info"
    n = write_bundle(read_upr_info_csv(upr_info / "recommendations-sessions-1-20.csv"), RECOMMENDATIONS_BUNDLE)
    print(f"{n} recommendations -> {RECOMMENDATIONS_BUNDLE}")
    n = write_bundle(read_upr_info_csv(upr_info / "voluntary-pledges-sessions-1-19.csv"), PLEDGES_BUNDLE)
    print(f"{n} pledges -> {PLEDGES_BUNDLE}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent.parent / "shared" / "data"))
