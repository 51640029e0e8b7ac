//! The canonical form of a profile: every list sorted, one entry per fact identity.
//!
//! [`Profile::normalize`] is what [`Profile::to_json`] writes and what [`crate::merge`] starts
//! from. The [`Fact`] trait says, for each kind of fact, what makes two entries the same fact
//! and how two observations of it combine; merging and normalizing share it.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::net::IpAddr;

use crate::{
    Capability, Direction, Evidence, Executable, FileWrite, NetworkPeer, Profile, Protocol, Syscall,
};

impl Profile {
    /// Puts the profile in canonical form, so that equal behaviour gives equal JSON:
    ///
    /// - facts sorted by identity (executables by path then uid; network peers by direction,
    ///   protocol, address and port; capabilities by name then `granted`; syscalls by number;
    ///   file writes by path), entries of the same identity folded into one (counts summed,
    ///   earliest `firstSeen`, latest `lastSeen`, nodes united, the larger `replicas`, the argv
    ///   of the earliest execution);
    /// - peer addresses in canonical text (`::ffff:10.0.0.1` is `10.0.0.1`, IPv6 lowercase and
    ///   compressed);
    /// - partial reasons, coverage, hooks, missing hooks and evidence nodes sorted, without
    ///   duplicates.
    ///
    /// Normalizing twice changes nothing.
    pub fn normalize(&mut self) {
        sort_dedup(&mut self.partial_reasons);
        sort_dedup(&mut self.coverage.nodes);
        sort_dedup(&mut self.coverage.replicas);
        sort_dedup(&mut self.sensor.hooks);
        self.sensor
            .missing_hooks
            .sort_by(|a, b| (&a.hook, &a.reason).cmp(&(&b.hook, &b.reason)));
        self.sensor.missing_hooks.dedup();
        for peer in &mut self.network {
            peer.address = canonical_address(&peer.address);
            sort_dedup(&mut peer.names);
        }
        fold(&mut self.executables);
        fold(&mut self.network);
        fold(&mut self.capabilities);
        fold(&mut self.syscalls);
        fold(&mut self.file_writes);
    }
}

/// A kind of fact: its identity, its evidence, and what else combines when two observations of
/// the same fact meet.
pub(crate) trait Fact: Clone {
    /// What makes two entries the same fact; its order is the order in the file.
    type Key: Ord;
    fn key(&self) -> Self::Key;
    fn evidence(&self) -> &Evidence;
    fn evidence_mut(&mut self) -> &mut Evidence;
    /// Takes from `other` the fields outside the identity and the evidence that should win.
    /// Called before the evidence is combined.
    fn absorb_details(&mut self, _other: &Self) {}
}

/// The accessors of a fact whose evidence is its `evidence` field, as every fact's is.
macro_rules! evidence_field {
    () => {
        fn evidence(&self) -> &Evidence {
            &self.evidence
        }
        fn evidence_mut(&mut self) -> &mut Evidence {
            &mut self.evidence
        }
    };
}

impl Fact for Executable {
    type Key = (String, u32);
    fn key(&self) -> Self::Key {
        (self.path.clone(), self.uid)
    }
    evidence_field!();
    /// The argv of the earliest execution; at the same instant, the smaller argv, so that the
    /// choice does not depend on the order of the sources.
    fn absorb_details(&mut self, other: &Self) {
        let order =
            compare_times(&other.evidence.first_seen, &self.evidence.first_seen).then_with(|| {
                (&other.argv, other.argv_incomplete).cmp(&(&self.argv, self.argv_incomplete))
            });
        if order == Ordering::Less {
            self.argv.clone_from(&other.argv);
            self.argv_incomplete = other.argv_incomplete;
        }
    }
}

/// A peer address in the order of the file: IP addresses numerically (IPv4 before IPv6), then
/// anything that is not an IP address as text.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum AddressKey {
    Ip(IpAddr),
    Other(String),
}

impl Fact for NetworkPeer {
    type Key = (Direction, Protocol, AddressKey, u16);
    fn key(&self) -> Self::Key {
        let address = match self.address.parse::<IpAddr>() {
            Ok(ip) => AddressKey::Ip(ip.to_canonical()),
            Err(_) => AddressKey::Other(self.address.clone()),
        };
        (self.direction, self.protocol, address, self.port)
    }
    evidence_field!();
    /// DNS names are united; of two identities, the one seen last is kept (an address can
    /// pass from one pod to another), at the same instant the smaller, whatever the order.
    fn absorb_details(&mut self, other: &Self) {
        self.dns |= other.dns;
        for name in &other.names {
            if !self.names.contains(name) {
                self.names.push(name.clone());
            }
        }
        self.names.sort();
        if let Some(theirs) = &other.peer {
            let take = match &self.peer {
                None => true,
                Some(ours) => {
                    compare_times(&other.evidence.last_seen, &self.evidence.last_seen)
                        .then_with(|| theirs.cmp(ours).reverse())
                        == Ordering::Greater
                }
            };
            if take {
                self.peer = Some(theirs.clone());
            }
        }
    }
}

impl Fact for Capability {
    type Key = (String, bool);
    fn key(&self) -> Self::Key {
        (self.name.clone(), self.granted)
    }
    evidence_field!();
}

impl Fact for Syscall {
    type Key = u32;
    fn key(&self) -> Self::Key {
        self.nr
    }
    evidence_field!();
    /// One architecture gives one name per number; should two sources disagree, the smaller
    /// name wins, whatever their order.
    fn absorb_details(&mut self, other: &Self) {
        if other.name < self.name {
            self.name.clone_from(&other.name);
        }
    }
}

impl Fact for FileWrite {
    type Key = String;
    fn key(&self) -> Self::Key {
        self.path.clone()
    }
    evidence_field!();
}

impl Evidence {
    /// Adds another observation of the same fact: counts summed, the earliest first sighting,
    /// the latest last one, nodes united. `replicas` is left to the caller: whether two counts
    /// of replicas add up depends on whether the replicas are the same ones.
    pub(crate) fn absorb(&mut self, other: &Evidence) {
        self.count = self.count.saturating_add(other.count);
        keep_earliest(&mut self.first_seen, &other.first_seen);
        keep_latest(&mut self.last_seen, &other.last_seen);
        self.nodes.extend(other.nodes.iter().cloned());
        sort_dedup(&mut self.nodes);
    }
}

/// Combines `other` into `kept`, two observations of the same fact (same key).
pub(crate) fn absorb<F: Fact>(kept: &mut F, other: &F) {
    kept.absorb_details(other);
    kept.evidence_mut().absorb(other.evidence());
}

/// Sorts facts by identity and folds entries of one identity. Within one profile two entries of
/// a fact come from the same replicas, so the larger count of replicas is kept, not the sum.
fn fold<F: Fact>(facts: &mut Vec<F>) {
    let mut by_key: BTreeMap<F::Key, F> = BTreeMap::new();
    for mut fact in facts.drain(..) {
        sort_dedup(&mut fact.evidence_mut().nodes);
        match by_key.entry(fact.key()) {
            Entry::Vacant(slot) => {
                slot.insert(fact);
            }
            Entry::Occupied(mut slot) => {
                let kept = slot.get_mut();
                let replicas = kept.evidence().replicas.max(fact.evidence().replicas);
                absorb(kept, &fact);
                kept.evidence_mut().replicas = replicas;
            }
        }
    }
    facts.extend(by_key.into_values());
}

/// Orders two RFC 3339 timestamps by the instant they name; equal instants, and text that is
/// not a timestamp, by the text. Text alone would misorder `…:00.5Z` before `…:00Z`.
pub(crate) fn compare_times(a: &str, b: &str) -> Ordering {
    match (a.parse::<jiff::Timestamp>(), b.parse::<jiff::Timestamp>()) {
        (Ok(x), Ok(y)) => x.cmp(&y).then_with(|| a.cmp(b)),
        _ => a.cmp(b),
    }
}

pub(crate) fn keep_earliest(kept: &mut String, other: &str) {
    if compare_times(other, kept) == Ordering::Less {
        other.clone_into(kept);
    }
}

pub(crate) fn keep_latest(kept: &mut String, other: &str) {
    if compare_times(other, kept) == Ordering::Greater {
        other.clone_into(kept);
    }
}

pub(crate) fn sort_dedup<T: Ord>(items: &mut Vec<T>) {
    items.sort();
    items.dedup();
}

/// The canonical text of an IP address; anything else unchanged.
fn canonical_address(address: &str) -> String {
    match address.parse::<IpAddr>() {
        Ok(ip) => ip.to_canonical().to_string(),
        Err(_) => address.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{evidence, full_profile};

    fn normalized(mut profile: Profile) -> Profile {
        profile.normalize();
        profile
    }

    #[test]
    fn full_profile_is_already_normal() {
        assert_eq!(normalized(full_profile()), full_profile());
    }

    #[test]
    fn normalize_is_idempotent_on_shuffled_input() {
        let mut shuffled = full_profile();
        shuffled.executables.reverse();
        shuffled.network.reverse();
        shuffled.capabilities.reverse();
        shuffled.syscalls.reverse();
        shuffled.file_writes.reverse();
        shuffled.coverage.nodes.push("node-a".to_owned());
        let normal = normalized(shuffled);
        assert_eq!(normal, full_profile());
        assert_eq!(normalized(normal.clone()), normal);
    }

    #[test]
    fn same_fact_twice_folds_into_one() {
        let mut profile = full_profile();
        let mut early = profile.executables[0].clone();
        early.evidence = evidence("2026-03-01T09:00:00Z", "2026-03-01T09:00:01Z", 2, "node-z");
        early.argv = vec!["nginx".to_owned(), "-t".to_owned()];
        let before = profile.executables[0].clone();
        profile.executables.push(early);
        profile.normalize();
        let folded = &profile.executables[0];
        assert_eq!(folded.path, before.path);
        assert_eq!(folded.evidence.count, before.evidence.count + 2);
        assert_eq!(folded.evidence.first_seen, "2026-03-01T09:00:00Z");
        assert_eq!(folded.evidence.last_seen, before.evidence.last_seen);
        assert_eq!(folded.evidence.nodes, ["node-a", "node-z"]);
        assert_eq!(folded.evidence.replicas, 1);
        assert_eq!(folded.argv, ["nginx", "-t"]);
    }

    #[test]
    fn addresses_are_canonical_and_sorted_numerically() {
        let mut profile = full_profile();
        let template = profile.network[0].clone();
        profile.network = [
            "10.0.0.10",
            "::FFFF:10.0.0.9",
            "2001:DB8:0:0::1",
            "10.0.0.9",
        ]
        .iter()
        .map(|a| NetworkPeer {
            address: (*a).to_owned(),
            ..template.clone()
        })
        .collect();
        profile.normalize();
        let addresses: Vec<&str> = profile.network.iter().map(|p| p.address.as_str()).collect();
        assert_eq!(addresses, ["10.0.0.9", "10.0.0.10", "2001:db8::1"]);
        assert_eq!(
            profile.network[0].evidence.count,
            2 * template.evidence.count
        );
    }

    #[test]
    fn a_peer_keeps_all_names_and_the_latest_identity() {
        let mut profile = full_profile();
        let mut old = profile.network[0].clone();
        let mut new = old.clone();
        let identity = |name: &str| crate::PeerIdentity {
            kind: crate::PeerKind::Pod,
            namespace: Some("shop".to_owned()),
            name: name.to_owned(),
            workload: None,
            labels: Default::default(),
        };
        old.names = vec!["b.example".to_owned(), "a.example".to_owned()];
        old.peer = Some(identity("old-pod"));
        old.evidence.last_seen = "2026-03-01T10:00:00Z".to_owned();
        new.names = vec!["c.example".to_owned(), "a.example".to_owned()];
        new.peer = Some(identity("new-pod"));
        new.evidence.last_seen = "2026-03-02T10:00:00Z".to_owned();
        for order in [[old.clone(), new.clone()], [new.clone(), old.clone()]] {
            profile.network = order.to_vec();
            profile.normalize();
            assert_eq!(profile.network.len(), 1);
            assert_eq!(
                profile.network[0].names,
                ["a.example", "b.example", "c.example"]
            );
            assert_eq!(profile.network[0].peer, Some(identity("new-pod")));
        }
    }

    #[test]
    fn times_compare_as_instants() {
        assert_eq!(
            compare_times("2026-03-01T10:00:00Z", "2026-03-01T10:00:00.5Z"),
            Ordering::Less
        );
        assert_eq!(
            compare_times("2026-03-01T11:00:00+01:00", "2026-03-01T10:30:00Z"),
            Ordering::Less
        );
        assert_eq!(compare_times("garbage", "garbagf"), Ordering::Less);
    }
}
