//! How sure a suggestion is, and the rules every suggestion shares: partial profiles, short
//! windows and few replicas lower it.

use serde::Serialize;

use picket_profile::Profile;

/// How sure a suggestion is that applying it breaks nothing the workload does.
///
/// Ordered: `Low < Medium < High`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Confidence {
    /// Review it carefully; it rests on a guess or on thin evidence.
    Low,
    /// Probably right; something the sensor could not see may still need more.
    Medium,
    /// The profile saw enough to stand behind it.
    High,
}

/// One reason a suggestion's confidence is below [`Confidence::High`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Lowering {
    /// The highest confidence this reason allows.
    pub to: Confidence,
    /// Why, as a sentence fragment: `the profile is partial: …`.
    pub reason: String,
}

/// Below this much observed time a window counts as short.
pub(crate) const SHORT_WINDOW_SECONDS: u64 = 3600;

/// Fewer runs than this of a Job or CronJob count as few.
pub(crate) const FEW_BATCH_RUNS: usize = 3;

/// Collects the reasons that lower a suggestion's confidence.
#[derive(Clone, Debug, Default)]
pub(crate) struct Rating {
    pub(crate) lowered_by: Vec<Lowering>,
}

impl Rating {
    /// Starts from what every suggestion from `profile` shares ([`profile_lowerings`]).
    pub(crate) fn of(profile: &Profile) -> Rating {
        Rating {
            lowered_by: profile_lowerings(profile),
        }
    }

    /// Adds a reason that allows at most `to`.
    pub(crate) fn lower(&mut self, to: Confidence, reason: impl Into<String>) {
        self.lowered_by.push(Lowering {
            to,
            reason: reason.into(),
        });
    }

    /// The lowest level any reason allows; [`Confidence::High`] without reasons.
    pub(crate) fn confidence(&self) -> Confidence {
        self.lowered_by
            .iter()
            .map(|l| l.to)
            .min()
            .unwrap_or(Confidence::High)
    }
}

/// The reasons that hold for every suggestion made from `profile`:
///
/// - a partial profile allows at most Medium;
/// - for a Job or CronJob, fewer than [`FEW_BATCH_RUNS`] runs (replicas) allow at most Medium:
///   a batch container's window is naturally short, so the number of runs stands in for it;
/// - for anything else, less than an hour observed, or a single replica, allows at most Medium.
///
/// The observed time is the smaller of `window.seconds` and the span from start to end: a
/// merged profile sums the seconds of replicas watched at the same time.
pub(crate) fn profile_lowerings(profile: &Profile) -> Vec<Lowering> {
    let mut out = Vec::new();
    if profile.partial {
        let reason = if profile.partial_reasons.is_empty() {
            "the profile is partial".to_owned()
        } else {
            format!(
                "the profile is partial: {}",
                profile.partial_reasons.join("; ")
            )
        };
        out.push(Lowering {
            to: Confidence::Medium,
            reason,
        });
    }
    let replicas = profile.coverage.replicas.len();
    let batch = profile
        .subject
        .workload
        .as_ref()
        .is_some_and(|w| matches!(w.kind.as_str(), "Job" | "CronJob"));
    if batch {
        if replicas < FEW_BATCH_RUNS {
            out.push(Lowering {
                to: Confidence::Medium,
                reason: format!("{} of a batch workload seen", plural(replicas, "run")),
            });
        }
        return out;
    }
    let observed = observed_seconds(profile);
    if observed < SHORT_WINDOW_SECONDS {
        out.push(Lowering {
            to: Confidence::Medium,
            reason: format!("observed for {} only (less than 1 h)", duration(observed)),
        });
    }
    if replicas < 2 {
        out.push(Lowering {
            to: Confidence::Medium,
            reason: format!("{} seen", plural(replicas, "replica")),
        });
    }
    out
}

/// Seconds actually observed: `window.seconds`, at most the window's span.
pub(crate) fn observed_seconds(profile: &Profile) -> u64 {
    let span = span_seconds(&profile.window.start, &profile.window.end);
    match span {
        Some(span) => profile.window.seconds.min(span),
        None => profile.window.seconds,
    }
}

/// Seconds from `start` to `end` (RFC 3339); `None` when either does not parse or end is first.
fn span_seconds(start: &str, end: &str) -> Option<u64> {
    let start: jiff::Timestamp = start.parse().ok()?;
    let end: jiff::Timestamp = end.parse().ok()?;
    u64::try_from(end.as_second() - start.as_second()).ok()
}

/// `1 replica`, `3 replicas`.
pub(crate) fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `45 s`, `25 min`, `2 h 5 min`.
pub(crate) fn duration(seconds: u64) -> String {
    match seconds {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min", s / 60),
        s if s % 3600 < 60 => format!("{} h", s / 3600),
        s => format!("{} h {} min", s / 3600, s % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_well() {
        assert_eq!(duration(45), "45 s");
        assert_eq!(duration(1500), "25 min");
        assert_eq!(duration(7200), "2 h");
        assert_eq!(duration(7500), "2 h 5 min");
    }

    #[test]
    fn span_needs_both_times_in_order() {
        assert_eq!(
            span_seconds("2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z"),
            Some(3600)
        );
        assert_eq!(
            span_seconds("2026-03-01T11:00:00Z", "2026-03-01T10:00:00Z"),
            None
        );
        assert_eq!(span_seconds("yesterday", "2026-03-01T10:00:00Z"), None);
    }

    #[test]
    fn the_lowest_reason_wins() {
        let mut rating = Rating::default();
        assert_eq!(rating.confidence(), Confidence::High);
        rating.lower(Confidence::Medium, "a");
        rating.lower(Confidence::Low, "b");
        rating.lower(Confidence::Medium, "c");
        assert_eq!(rating.confidence(), Confidence::Low);
    }
}
