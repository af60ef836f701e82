//! Dates as Persian and English offices write them: ISO `YYYY-MM-DD`, RFC 3339, and Solar Hijri
//! (Jalali) dates such as `1403-02-15` or `۱۴۰۳/۰۲/۱۵`. A year below 1700 is Jalali. Everything is
//! normalised to a Gregorian calendar day (or an instant) so ranges and sorting work across both.

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, NaiveTime, Utc};

/// A parsed date: the UTC instant it stands for. Date-only values are midnight UTC.
pub type Instant = DateTime<Utc>;

/// Parses a date the way DESIGN allows; `Err` carries a message a person understands.
pub fn parse(raw: &str) -> Result<Instant, String> {
    let instant = parse_any(raw)?;
    // The index keeps instants as i64 nanoseconds (1677 to 2262); `9999-12-31` or the year 989
    // overflowed when indexed (found by fuzzing `note_parse`).
    if instant.timestamp_nanos_opt().is_none() {
        return Err(format!("`{}` is out of range: dates must fall between 1678 and 2261", raw.trim()));
    }
    Ok(instant)
}

fn parse_any(raw: &str) -> Result<Instant, String> {
    let s: String = raw.trim().chars().map(ascii_digit).collect();
    if s.is_empty() {
        return Err("empty date".into());
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(&s) {
        return Ok(dt.with_timezone(&Utc));
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(&s, fmt) {
            return Ok(dt.and_utc());
        }
    }
    let parts: Vec<&str> = s.split(['-', '/', '.']).collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(format!("`{raw}` is not a date: write YYYY-MM-DD (Gregorian) or 1403-02-15 (Jalali)"));
    };
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return Err(format!("`{raw}` is not a date: write YYYY-MM-DD (Gregorian) or 1403-02-15 (Jalali)"));
    };
    let day = if y < 1700 { jalali_to_gregorian(y, m, d) } else { NaiveDate::from_ymd_opt(y, m, d) };
    let calendar = if y < 1700 { "Jalali" } else { "Gregorian" };
    day.map(|day| day.and_time(NaiveTime::MIN).and_utc())
        .ok_or_else(|| format!("`{raw}` is not a valid {calendar} date (month {m}, day {d})"))
}

/// Persian (U+06F0..) and Arabic-Indic (U+0660..) digits to ASCII; other characters unchanged.
fn ascii_digit(c: char) -> char {
    match c {
        '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
        '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
        _ => c,
    }
}

/// Year breaks of the astronomical Jalali calendar (the jalaali-js / Borkowski algorithm).
const BREAKS: [i32; 20] =
    [-61, 9, 38, 199, 426, 686, 756, 818, 1111, 1181, 1210, 1635, 2060, 2097, 2192, 2262, 2324, 2394, 2456, 3178];

/// Gregorian year of the Jalali new year, the day in March it falls on, and whether `jy` is leap.
fn jal_cal(jy: i32) -> Option<(i32, u32, bool)> {
    if jy < BREAKS[0] || jy >= BREAKS[BREAKS.len() - 1] {
        return None;
    }
    let gy = jy + 621;
    let mut leap_j = -14;
    let mut jp = BREAKS[0];
    let mut jump = 0;
    for &jm in &BREAKS[1..] {
        jump = jm - jp;
        if jy < jm {
            break;
        }
        leap_j += jump / 33 * 8 + (jump % 33) / 4;
        jp = jm;
    }
    let mut n = jy - jp;
    leap_j += n / 33 * 8 + ((n % 33) + 3) / 4;
    if jump % 33 == 4 && jump - n == 4 {
        leap_j += 1;
    }
    let leap_g = gy / 4 - ((gy / 100 + 1) * 3) / 4 - 150;
    let march = 20 + leap_j - leap_g;
    if jump - n < 6 {
        n = n - jump + (jump + 4) / 33 * 33;
    }
    let mut leap = ((n + 1) % 33 - 1) % 4;
    if leap == -1 {
        leap = 4;
    }
    Some((gy, u32::try_from(march).ok()?, leap == 0))
}

/// Converts a Jalali (Solar Hijri) date to the Gregorian calendar; `None` when it does not exist.
pub fn jalali_to_gregorian(jy: i32, jm: u32, jd: u32) -> Option<NaiveDate> {
    let (gy, march, leap) = jal_cal(jy)?;
    let month_len = match jm {
        1..=6 => 31,
        7..=11 => 30,
        12 if leap => 30,
        12 => 29,
        _ => return None,
    };
    if jd == 0 || jd > month_len {
        return None;
    }
    let offset = (jm - 1) * 31 - (jm / 7) * (jm.saturating_sub(7)) + jd - 1;
    NaiveDate::from_ymd_opt(gy, 3, march)?.checked_add_days(Days::new(u64::from(offset)))
}

/// Gregorian day to Jalali `(year, month, day)`, for display in Persian contexts.
pub fn gregorian_to_jalali(day: NaiveDate) -> (i32, u32, u32) {
    use chrono::Datelike;
    let mut jy = day.year() - 621;
    let start = |jy| jalali_to_gregorian(jy, 1, 1);
    if start(jy).is_some_and(|s| day < s) {
        jy -= 1;
    }
    let Some(new_year) = start(jy) else {
        return (jy, 1, 1);
    };
    let k = u32::try_from((day - new_year).num_days()).unwrap_or(0);
    if k < 186 {
        (jy, 1 + k / 31, 1 + k % 31)
    } else {
        let k = k - 186;
        (jy, 7 + k / 30, 1 + k % 30)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(s: &str) -> String {
        parse(s).map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_else(|e| format!("ERR {e}"))
    }

    #[test]
    fn gregorian_and_rfc3339() {
        assert_eq!(ymd("2026-03-14"), "2026-03-14");
        assert_eq!(ymd("2026-03-14T10:00:00+03:30"), "2026-03-14");
        assert_eq!(ymd("2026/03/14"), "2026-03-14");
        assert!(parse("2026-13-45").is_err());
        assert!(parse("2026-02-30").is_err());
        assert!(parse("soon").is_err());
        assert!(parse("").is_err());
    }

    #[test]
    fn dates_the_index_cannot_hold_are_refused() {
        for s in ["9999-12-31", "0989-05-27T07:32:00-08:00", "2262-04-12", "1677-09-20T00:00:00Z", "1000-01-01"] {
            assert!(ymd(s).contains("out of range"), "{s}: {}", ymd(s));
        }
        assert_eq!(ymd("2261-12-31"), "2261-12-31");
        assert_eq!(ymd("1700-01-01"), "1700-01-01");
    }

    #[test]
    fn jalali_dates_become_the_same_day() {
        // Nowruz: 1403-01-01 was 20 March 2024, 1402-01-01 was 21 March 2023.
        assert_eq!(ymd("1403-01-01"), "2024-03-20");
        assert_eq!(ymd("1402-01-01"), "2023-03-21");
        assert_eq!(ymd("۱۴۰۳/۰۲/۱۵"), "2024-05-04");
        assert_eq!(ymd("١٤٠٣/٠٢/١٥"), "2024-05-04");
        assert_eq!(ymd("1399-12-30"), "2021-03-20"); // 1399 is a leap year
        assert!(parse("1400-12-30").is_err()); // 1400 is not
        assert!(parse("1403-07-31").is_err()); // second half-year months have 30 days
        assert!(parse("1403-13-01").is_err());
    }

    #[test]
    fn round_trip_to_jalali() {
        for s in ["1403-01-01", "1403-06-31", "1403-07-01", "1403-12-30", "1402-12-29", "1380-05-17"] {
            let d = parse(s).expect("valid").date_naive();
            let (y, m, dd) = gregorian_to_jalali(d);
            assert_eq!(format!("{y}-{m:02}-{dd:02}"), s);
        }
    }
}
