"""Freezing a started process's objects out of the garbage collector's walks."""

from __future__ import annotations

import gc
import weakref

from api.gcfreeze import freeze_startup_objects


class Node:
    pass


def test_startup_objects_are_frozen_and_later_garbage_is_still_collected():
    try:
        assert freeze_startup_objects() > 1000  # the modules, classes, ... this process made so far
        assert gc.get_freeze_count() > 1000
        later = Node()
        later.cycle = later  # only the cyclic collector can free it
        gone = weakref.ref(later)
        del later
        gc.collect()
        assert gone() is None
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0
