import pytest

from tools.bench.stats import percentile, ratio, summarize


def test_percentile_interpolates_like_numpy():
    values = [1.0, 2.0, 3.0, 4.0]
    assert percentile(values, 0.5) == pytest.approx(2.5)
    assert percentile(values, 0.95) == pytest.approx(3.85)
    assert percentile(values, 0.0) == 1.0
    assert percentile(values, 1.0) == 4.0


def test_percentile_ignores_order_and_handles_one_value():
    assert percentile([5.0, 1.0, 3.0], 0.5) == 3.0
    assert percentile([7.0], 0.99) == 7.0


def test_percentile_of_nothing_is_none_and_bad_quantile_fails():
    assert percentile([], 0.5) is None
    with pytest.raises(ValueError):
        percentile([1.0], 1.5)


def test_summarize_has_every_figure():
    s = summarize([float(i) for i in range(1, 101)])
    assert s["count"] == 100
    assert s["mean"] == pytest.approx(50.5)
    assert s["p50"] == pytest.approx(50.5)
    assert s["p99"] == pytest.approx(99.01)
    assert s["max"] == 100.0
    assert summarize([]) == {"count": 0, "mean": None, "p50": None, "p95": None, "p99": None, "max": None}


def test_ratio():
    assert ratio(3.0, 1.5) == 2.0
    assert ratio(None, 1.0) is None
    assert ratio(1.0, 0.0) is None
    assert ratio(1.0, None) is None
