"""公示 runs for working days: weekends and public holidays skipped, 调休 weekend days counted."""

import datetime

import pytest

from fulian.campaigns.holidays import add_working_days, is_working_day, years_known

pytestmark = pytest.mark.django_db

D = datetime.date


def test_the_shipped_calendar_is_loaded_by_the_migration():
    assert {2019, 2025, 2026} <= years_known()


@pytest.mark.parametrize(
    ("start", "days", "end"),
    [
        (D(2026, 11, 30), 5, D(2026, 12, 4)),  # an ordinary week
        (D(2026, 12, 3), 5, D(2026, 12, 9)),  # over a weekend
        (D(2026, 9, 28), 5, D(2026, 10, 9)),  # 国庆: 10-01..07 off
        (D(2026, 9, 28), 6, D(2026, 10, 10)),  # … and Saturday 10-10 is worked
        (D(2026, 2, 12), 4, D(2026, 2, 24)),  # 春节: 02-14 (Sat) worked, 02-15..23 off
        (D(2026, 10, 3), 1, D(2026, 10, 8)),  # starting on a holiday counts from the next working day
    ],
)
def test_publicity_ends_after_its_working_days(start, days, end):
    assert add_working_days(start, days) == end


def test_a_worked_weekend_day_is_a_working_day():
    assert is_working_day(D(2026, 2, 28))
    assert not is_working_day(D(2026, 2, 16))
    assert not is_working_day(D(2026, 12, 5))
