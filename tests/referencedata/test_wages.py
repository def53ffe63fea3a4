"""The shipped minimum wage rates and the rule for which ones are in force."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import pairwise

import pytest

from apprenticeships.referencedata.wages import minimum_wage_rates, rates_on


def test_rates_cover_every_april_from_2019_to_2026_and_never_fall() -> None:
    rates = minimum_wage_rates()
    assert [r.effective_from for r in rates] == [date(year, 4, 1) for year in range(2019, 2027)]
    for earlier, later in pairwise(rates):
        assert later.apprentice_hourly > earlier.apprentice_hourly
        assert later.national_living_wage > earlier.national_living_wage
    for r in rates:
        assert r.apprentice_hourly <= r.under_18_hourly < r.age_18_to_20_hourly
        assert r.age_18_to_20_hourly < r.national_minimum_wage_21_plus <= r.national_living_wage
        assert r.national_living_wage_from_age in (21, 23, 25)


def test_the_rate_in_force_is_the_latest_uprating_on_or_before_the_day() -> None:
    assert rates_on(date(2024, 3, 31)).apprentice_hourly == Decimal("5.28")
    assert rates_on(date(2024, 4, 1)).apprentice_hourly == Decimal("6.40")
    assert rates_on(date(2025, 4, 1)).national_living_wage == Decimal("12.21")
    # Later rates are not shipped yet, so the last known ones carry on.
    assert rates_on(date(2031, 1, 1)).apprentice_hourly == Decimal("8.00")
    with pytest.raises(ValueError, match="2019-03-31"):
        rates_on(date(2019, 3, 31))
