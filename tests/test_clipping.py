"""Text the pack lays out is cut to a width where a title must fit, with an ellipsis."""

from __future__ import annotations

from kpireport.presenting.clipping import clip_width


def test_a_name_that_fits_is_kept_whole() -> None:
    assert clip_width("Churn rate", 10) == "Churn rate"


def test_a_longer_name_is_cut_with_an_ellipsis_in_its_width() -> None:
    assert clip_width("Lead-to-opportunity conversion rate (CVR)", 20) == "Lead-to-opportunity…"
    assert clip_width("Average deal size", 9) == "Average…"  # the space before the cut goes


def test_a_wide_character_counts_two_columns() -> None:
    # 10 columns: four wide characters (8) and the ellipsis (1); a fifth would take 11.
    assert clip_width("顧客生涯価値（LTV）", 10) == "顧客生涯…"
    assert clip_width("新規売上", 8) == "新規売上"
