//! `invalid-cron-schedule`: a CronJob whose `schedule` Kubernetes cannot parse.

use picket_model::{Object, WorkloadSpec};

use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A CronJob `schedule` that is not a valid cron expression as Kubernetes reads it:
    /// five fields (minute, hour, day of month, month, day of week), each `*`, `?`, a value,
    /// a range `a-b`, any of those with a step `/n`, or a comma-separated list of them.
    /// Months may be written `JAN`–`DEC` and days of the week `SUN`–`SAT`; days of the week
    /// run from 0 (Sunday) to 6, so `7` is out of range. The macros `@yearly`,
    /// `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly` and
    /// `@every <duration>` are accepted, as is a leading `CRON_TZ=<zone>` or `TZ=<zone>`
    /// (set `spec.timeZone` instead on current clusters).
    ///
    /// ## Why it matters
    /// The API server rejects the CronJob (`spec.schedule: Invalid value`), so the apply
    /// fails; with an older API server that did not validate, the CronJob never runs.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: batch/v1
    /// kind: CronJob
    /// metadata:
    ///   name: nightly
    /// spec:
    ///   schedule: "0 24 * * *"
    ///   jobTemplate:
    ///     spec:
    ///       template:
    ///         spec:
    ///           restartPolicy: OnFailure
    ///           containers:
    ///             - name: nightly
    ///               image: shop/nightly:1.0
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: batch/v1
    /// kind: CronJob
    /// metadata:
    ///   name: nightly
    /// spec:
    ///   schedule: "0 0 * * *"
    ///   jobTemplate:
    ///     spec:
    ///       template:
    ///         spec:
    ///           restartPolicy: OnFailure
    ///           containers:
    ///             - name: nightly
    ///               image: shop/nightly:1.0
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#schedule-syntax
    pub(crate) InvalidCronSchedule {
        name: "invalid-cron-schedule",
        category: Correctness,
        severity: Error,
        fix: None,
        summary: "CronJob schedule is not a valid cron expression",
        peers: [],
    }
}

impl Rule for InvalidCronSchedule {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        if !object.is(&["batch"], "CronJob") {
            return;
        }
        let Some(field) = object.spec::<WorkloadSpec>().and_then(|s| s.schedule()) else {
            return;
        };
        let Some(schedule) = field.text() else { return };
        if let Err(why) = check(schedule) {
            cx.report(
                field.value_range(),
                format!("Schedule `{schedule}` is invalid: {why}"),
            );
        }
    }
}

struct Spec {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
}

const MONTHS: &[&str] = &[
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const DAYS: &[&str] = &["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

const FIELDS: [Spec; 5] = [
    Spec { name: "minute", min: 0, max: 59, names: &[] },
    Spec { name: "hour", min: 0, max: 23, names: &[] },
    Spec { name: "day of month", min: 1, max: 31, names: &[] },
    Spec { name: "month", min: 1, max: 12, names: MONTHS },
    Spec { name: "day of week", min: 0, max: 6, names: DAYS },
];

/// Checks a schedule the way Kubernetes' cron parser (robfig/cron, standard mode) does.
pub(crate) fn check(schedule: &str) -> Result<(), String> {
    let mut rest = schedule.trim();
    if rest.is_empty() {
        return Err("it is empty".to_owned());
    }
    if let Some(tz) = rest.strip_prefix("CRON_TZ=").or_else(|| rest.strip_prefix("TZ=")) {
        let (zone, after) = tz.split_once(char::is_whitespace).unwrap_or((tz, ""));
        if zone.is_empty() {
            return Err("the time zone is empty".to_owned());
        }
        rest = after.trim();
        if rest.is_empty() {
            return Err("nothing follows the time zone".to_owned());
        }
    }
    if let Some(macro_) = rest.strip_prefix('@') {
        if let Some(duration) = macro_.strip_prefix("every ") {
            return check_duration(duration.trim());
        }
        return match macro_ {
            "yearly" | "annually" | "monthly" | "weekly" | "daily" | "midnight" | "hourly" => {
                Ok(())
            }
            _ => Err(format!("`@{macro_}` is not a known macro")),
        };
    }
    let fields: Vec<&str> = rest.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(format!(
            "expected 5 fields (minute, hour, day of month, month, day of week), found {}",
            fields.len()
        ));
    }
    for (text, spec) in fields.iter().zip(FIELDS.iter()) {
        for part in text.split(',') {
            check_part(part, spec)?;
        }
    }
    Ok(())
}

fn check_part(part: &str, spec: &Spec) -> Result<(), String> {
    let field = spec.name;
    if part.is_empty() {
        return Err(format!("{field} has an empty list item"));
    }
    let (range, step) = match part.split_once('/') {
        Some((r, s)) => (r, Some(s)),
        None => (part, None),
    };
    if let Some(step) = step {
        match step.parse::<u32>() {
            Ok(n) if n > 0 => {}
            _ => return Err(format!("{field} step `{step}` is not a positive number")),
        }
    }
    // Like the parser: a leading `*` or `?` means the whole range, whatever follows a `-`.
    if range == "*" || range == "?" || range.starts_with("*-") || range.starts_with("?-") {
        return Ok(());
    }
    let (start, end) = match range.split_once('-') {
        Some((a, b)) => (value(a, spec)?, Some(value(b, spec)?)),
        None => (value(range, spec)?, None),
    };
    if let Some(end) = end
        && start > end
    {
        return Err(format!("{field} range `{range}` starts after it ends"));
    }
    Ok(())
}

fn value(text: &str, spec: &Spec) -> Result<u32, String> {
    let field = spec.name;
    let lower = text.to_ascii_lowercase();
    if let Some(i) = spec.names.iter().position(|n| *n == lower) {
        return Ok(spec.min + i as u32);
    }
    let Ok(n) = text.parse::<u32>() else {
        return Err(format!("{field} `{text}` is not a number"));
    };
    if n < spec.min || n > spec.max {
        let hint = if spec.names == DAYS && n == 7 {
            " (Sunday is 0)"
        } else {
            ""
        };
        return Err(format!(
            "{field} `{n}` is out of range {}-{}{hint}",
            spec.min, spec.max
        ));
    }
    Ok(n)
}

/// A Go duration (`1h30m`, `90s`, `1.5h`), as `@every` takes.
fn check_duration(text: &str) -> Result<(), String> {
    let bad = || Err(format!("`{text}` is not a duration such as `1h30m`"));
    if text.is_empty() {
        return bad();
    }
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if digits == 0 || rest[..digits].parse::<f64>().is_err() {
            return bad();
        }
        rest = &rest[digits..];
        let unit = ["ns", "us", "µs", "ms", "s", "m", "h"]
            .iter()
            .filter(|u| rest.starts_with(**u))
            .max_by_key(|u| u.len());
        let Some(unit) = unit else { return bad() };
        rest = &rest[unit.len()..];
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn valid() {
        for s in [
            "*/5 * * * *",
            "0 0 1 JAN,jul *",
            "30 2 * * MON-FRI",
            "0 9-17/2 * * 1-5",
            "5/15 * ? * *",
            "@hourly",
            "@every 1h30m",
            "CRON_TZ=Europe/Berlin 0 6 * * *",
            "TZ=UTC @daily",
            "*-5 * * * *",
        ] {
            assert_eq!(check(s), Ok(()), "{s}");
        }
    }

    #[test]
    fn invalid() {
        for (s, why) in [
            ("0 24 * * *", "hour `24` is out of range 0-23"),
            ("0 0 * * 7", "day of week `7` is out of range 0-6 (Sunday is 0)"),
            ("* * * *", "expected 5 fields (minute, hour, day of month, month, day of week), found 4"),
            ("0 0 0 * *", "day of month `0` is out of range 1-31"),
            ("*/0 * * * *", "minute step `0` is not a positive number"),
            ("0 0 * FOO *", "month `FOO` is not a number"),
            ("0 5-1 * * *", "hour range `5-1` starts after it ends"),
            ("@fortnightly", "`@fortnightly` is not a known macro"),
            ("@every soon", "`soon` is not a duration such as `1h30m`"),
            ("1,,2 * * * *", "minute has an empty list item"),
        ] {
            assert_eq!(check(s), Err(why.to_owned()), "{s}");
        }
    }
}
