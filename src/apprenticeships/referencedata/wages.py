"""The UK minimum wage rates that ship with the platform (``data/minimum_wage_rates.json``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class MinimumWageRates:
    """The hourly rates in force from ``effective_from`` until the next uprating."""

    effective_from: date
    apprentice_hourly: Decimal
    under_18_hourly: Decimal
    age_18_to_20_hourly: Decimal
    national_minimum_wage_21_plus: Decimal
    national_living_wage: Decimal
    national_living_wage_from_age: int


@cache
def minimum_wage_rates() -> tuple[MinimumWageRates, ...]:
    """Every shipped uprating, oldest first."""
    text = resources.files(__package__).joinpath("data/minimum_wage_rates.json").read_text("utf-8")
    # Decimal, not float: wages are money and are compared against these exactly.
    items = json.loads(text, parse_float=Decimal)
    return tuple(
        sorted(
            (
                MinimumWageRates(
                    effective_from=date.fromisoformat(item["effectiveFrom"]),
                    apprentice_hourly=item["apprenticeHourly"],
                    under_18_hourly=item["under18Hourly"],
                    age_18_to_20_hourly=item["age18To20Hourly"],
                    national_minimum_wage_21_plus=item["nationalMinimumWage21Plus"],
                    national_living_wage=item["nationalLivingWage"],
                    national_living_wage_from_age=int(item["nationalLivingWageFromAge"]),
                )
                for item in items
            ),
            key=lambda rates: rates.effective_from,
        )
    )


def rates_on(day: date) -> MinimumWageRates:
    """The rates in force on ``day``. Days after the last shipped uprating get its rates,
    because later rates are not known yet; days before the first one are an error."""
    in_force = [rates for rates in minimum_wage_rates() if rates.effective_from <= day]
    if not in_force:
        raise ValueError(f"no minimum wage rates are shipped for {day.isoformat()}")
    return in_force[-1]
