"""A feed is read record by record and nothing but the match is kept: that holds for every
child of the root, not only for the records, or a hostile feed of other elements grows a
tree many times its own size (and the parse blocks the event loop for as long)."""

from __future__ import annotations

import tracemalloc

from embloy_ats import safexml


def _peak(body: bytes) -> int:
    tracemalloc.start()
    try:
        safexml.find_record(body, root="workzag-jobs", record="position", match=lambda e: False)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_children_of_the_root_that_are_not_records_are_dropped_too() -> None:
    size = 512 * 1024
    records = (
        b"<workzag-jobs>" + b"<position><id>1</id></position>" * (size // 31) + b"</workzag-jobs>"
    )
    others = b"<workzag-jobs>" + b"<x/>" * (size // 4) + b"</workzag-jobs>"
    assert _peak(records) < size, "records are dropped as they are read"
    # today: about 20 bytes of tree kept per byte of feed (a 32 MiB feed: ~650 MiB, ~20 s)
    assert _peak(others) < size, "an element that is not a record is kept for the whole parse"
