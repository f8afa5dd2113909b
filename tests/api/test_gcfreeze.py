"""Freezing a started process's objects out of the garbage collector's walks."""

from __future__ import annotations

import gc

from api.gcfreeze import freeze_startup_objects


def test_what_exists_at_startup_is_frozen_and_later_objects_are_not():
    try:
        frozen = freeze_startup_objects()
        assert frozen == gc.get_freeze_count() > 1000
        later = [object() for _ in range(10)] + [[i] for i in range(100)]
        assert gc.get_freeze_count() == frozen  # made after: collected as usual
        assert any(obj is later[-1] for obj in gc.get_objects())
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0
