//! The names in DNS answers: which addresses a workload looked up under which name, so that a
//! profile's external peers carry the names the workload knew them by.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use simple_dns::rdata::RData;
use simple_dns::{Packet, PacketFlag, RCODE};

/// Longest name kept (a DNS name has at most 253 characters in text form).
const NAME_MAX: usize = 253;

/// The (address, name) pairs of an answer: each A and AAAA record's address with the name
/// that was asked for (the question's, not that of a CNAME on the way). Nothing for a query,
/// an error answer, a message that does not parse (one cut at the 512 bytes the kernel side
/// keeps, say) or a name that is not a plain host name.
pub fn answers(message: &[u8]) -> Vec<(IpAddr, String)> {
    let Ok(packet) = Packet::parse(message) else {
        return Vec::new();
    };
    if !packet.has_flags(PacketFlag::RESPONSE) || packet.rcode() != RCODE::NoError {
        return Vec::new();
    }
    let Some(question) = packet.questions.first() else {
        return Vec::new();
    };
    let Some(name) = host_name(&question.qname.to_string()) else {
        return Vec::new();
    };
    packet
        .answers
        .iter()
        .filter_map(|rr| match &rr.rdata {
            RData::A(a) => Some(IpAddr::V4(Ipv4Addr::from(a.address))),
            RData::AAAA(a) => Some(IpAddr::V6(Ipv6Addr::from(a.address))),
            _ => None,
        })
        .map(|ip| (ip.to_canonical(), name.clone()))
        .collect()
}

/// `raw` as a lower-case host name without the final dot, if it is one: labels of letters,
/// digits, `-` and `_`, 63 characters at most each.
fn host_name(raw: &str) -> Option<String> {
    let name = raw.trim_end_matches('.').to_ascii_lowercase();
    let ok = !name.is_empty()
        && name.len() <= NAME_MAX
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    ok.then_some(name)
}

/// An answer to `query` (a message with one question) giving `addresses`, for tests and the
/// test workload's DNS server; `None` when `query` does not parse.
pub fn answer_to(query: &[u8], addresses: &[IpAddr]) -> Option<Vec<u8>> {
    use simple_dns::rdata::{A, AAAA};
    use simple_dns::{CLASS, ResourceRecord};
    let query = Packet::parse(query).ok()?;
    let question = query.questions.first()?.clone();
    let mut reply = query.into_reply();
    for ip in addresses {
        let rdata = match ip {
            IpAddr::V4(v4) => RData::A(A {
                address: u32::from(*v4),
            }),
            IpAddr::V6(v6) => RData::AAAA(AAAA {
                address: u128::from(*v6),
            }),
        };
        reply.answers.push(ResourceRecord::new(
            question.qname.clone(),
            CLASS::IN,
            60,
            rdata,
        ));
    }
    reply.questions.push(question);
    reply.build_bytes_vec().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(name: &str) -> Vec<u8> {
        let mut p = Packet::new_query(7);
        p.questions.push(simple_dns::Question::new(
            simple_dns::Name::new_unchecked(name),
            simple_dns::TYPE::A.into(),
            simple_dns::CLASS::IN.into(),
            false,
        ));
        p.build_bytes_vec().unwrap()
    }

    #[test]
    fn an_answer_gives_its_addresses_under_the_asked_name() {
        let v4: IpAddr = "140.82.112.3".parse().unwrap();
        let v6: IpAddr = "2606:4700::6810:84e5".parse().unwrap();
        let message = answer_to(&query("API.GitHub.com"), &[v4, v6]).unwrap();
        assert_eq!(
            answers(&message),
            [
                (v4, "api.github.com".to_owned()),
                (v6, "api.github.com".to_owned())
            ]
        );
    }

    #[test]
    fn queries_broken_and_cut_messages_give_nothing() {
        let q = query("example.com");
        assert_eq!(answers(&q), []);
        let v4: IpAddr = "192.0.2.1".parse().unwrap();
        let message = answer_to(&q, &[v4]).unwrap();
        for cut in 0..message.len() {
            // Never a panic, and no address without its whole record.
            let got = answers(&message[..cut]);
            assert!(got.is_empty() || got == [(v4, "example.com".to_owned())]);
        }
        assert_eq!(answers(b"\xff\xff\xff\xff garbage that is not DNS"), []);
    }

    #[test]
    fn names_must_be_host_names() {
        assert_eq!(host_name("Example.COM."), Some("example.com".to_owned()));
        assert_eq!(
            host_name("_dns.resolver.arpa"),
            Some("_dns.resolver.arpa".to_owned())
        );
        assert_eq!(host_name("a..b"), None);
        assert_eq!(host_name("bad name.example"), None);
        assert_eq!(host_name(""), None);
        assert_eq!(host_name(&"a".repeat(64)), None);
    }
}
