//! Dates, seasons and the calendar resource.
//!
//! Dates are proleptic Gregorian days; turn arithmetic is exact integer day counting.

use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A calendar date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year (CE).
    pub year: i32,
    /// Month, 1..=12.
    pub month: u8,
    /// Day of month, 1..=31.
    pub day: u8,
}

impl Date {
    /// A date, if `month` and `day` form a real date of `year`.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month)).then_some(Date {
            year,
            month,
            day,
        })
    }

    /// Days since 1970-01-01 (negative before).
    pub fn to_days(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01.
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// This date plus `days`.
    pub fn add_days(self, days: i64) -> Date {
        Date::from_days(self.to_days() + days)
    }

    /// The season this date falls in.
    pub fn season(self) -> Season {
        match self.month {
            3..=5 => Season::Spring,
            6..=8 => Season::Summer,
            9..=11 => Season::Autumn,
            _ => Season::Winter,
        }
    }
}

/// The longest term a rule or effect can set, in days (about a thousand years): longer
/// terms, negative ones and NaN are clamped, so date arithmetic never overflows whatever
/// a spec built in Rust carries (the scenario loader refuses such values with a message).
pub const MAX_TERM_DAYS: f64 = 365_250.0;

/// Day number `days` (rounded) after `today`, the term clamped to `0..=MAX_TERM_DAYS`.
pub fn days_after(today: i64, days: f64) -> i64 {
    let d = if days.is_nan() { 0.0 } else { days.round().clamp(0.0, MAX_TERM_DAYS) };
    today.saturating_add(d as i64)
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl std::str::FromStr for Date {
    type Err = String;

    /// Reads `YYYY-MM-DD`.
    fn from_str(t: &str) -> Result<Date, String> {
        let bad = || format!("`{t}` is not a date (YYYY-MM-DD)");
        let mut parts = t.splitn(3, '-');
        let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else { return Err(bad()) };
        let (Ok(y), Ok(m), Ok(d)) = (y.parse(), m.parse(), d.parse()) else { return Err(bad()) };
        Date::new(y, m, d).ok_or_else(bad)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The four seasons, by month (spring Mar-May, summer Jun-Aug, autumn Sep-Nov, winter Dec-Feb).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Season {
    /// March to May.
    Spring,
    /// June to August.
    Summer,
    /// September to November.
    Autumn,
    /// December to February.
    Winter,
}

impl Season {
    /// Index 0..4 in the order spring, summer, autumn, winter.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// The clock of the world: where the turn loop is and how long a turn is.
#[derive(Resource, Clone, Debug)]
pub struct Calendar {
    /// First day of the run.
    pub start: Date,
    /// The run ends when `date` passes this day.
    pub end: Date,
    /// Days per turn.
    pub turn_days: u32,
    /// Turns completed so far (0 before the first).
    pub turn: u32,
    /// The first day of the current turn.
    pub date: Date,
}

impl Calendar {
    /// Whether the current turn contains 1 January (tribute falls due).
    pub fn turn_crosses_new_year(&self) -> bool {
        let end = self.date.add_days(i64::from(self.turn_days) - 1);
        end.year != self.date.year || (self.date.month == 1 && self.date.day == 1)
    }

    /// The months whose first day falls in this turn (index 1..=12).
    pub fn months_starting(&self) -> [bool; 13] {
        let mut out = [false; 13];
        for d in 0..i64::from(self.turn_days) {
            let x = self.date.add_days(d);
            if x.day == 1 {
                out[usize::from(x.month)] = true;
            }
        }
        out
    }

    /// Days in this turn, as a float for rates.
    pub fn days(&self) -> f64 {
        f64::from(self.turn_days)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_round_trips_through_day_numbers() {
        for d in [Date::new(1231, 5, 1), Date::new(1232, 2, 29), Date::new(1217, 12, 31)] {
            let d = d.unwrap_or_else(|| Date::new(1232, 2, 28).unwrap_or(Date { year: 1232, month: 2, day: 28 }));
            assert_eq!(Date::from_days(d.to_days()), d);
        }
        let a = Date { year: 1232, month: 2, day: 8 };
        assert_eq!(a.add_days(30).to_string(), "1232-03-09");
        assert_eq!(Date::new(1231, 2, 29), None, "1231 is not a leap year");
    }

    #[test]
    fn terms_in_days_are_clamped_so_date_arithmetic_cannot_overflow() {
        assert_eq!(days_after(100, 4.6), 105);
        assert_eq!(days_after(100, -1e300), 100, "a negative term ends today");
        assert_eq!(days_after(100, f64::NAN), 100);
        assert_eq!(days_after(100, 1e300), 100 + MAX_TERM_DAYS as i64);
        assert_eq!(days_after(i64::MAX - 1, 30.0), i64::MAX, "saturates");
    }
}
