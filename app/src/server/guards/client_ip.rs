//! The client's address behind load balancers. `X-Forwarded-For` is believed
//! only as far as it was written by proxies we trust: read from the right,
//! each trusted hop vouches for the address before it, and the first address
//! that is not a trusted proxy is the client. Anything further left was
//! written by the client itself and could say anything.

use ipnet::IpNet;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::atomic::{AtomicBool, Ordering};

pub fn client_ip(peer: IpAddr, forwarded_for: &[&str], trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let mut client = peer;
    // Several headers are one list in order; each holds comma-separated hops.
    for hop in forwarded_for.iter().flat_map(|h| h.split(',')).rev() {
        let Ok(ip) = hop.trim().parse::<IpAddr>() else { return client };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    client
}

/// What per-address limits count by: an IPv4 address, or an IPv6 /64, the
/// network one subscriber gets and picks addresses in at will.
pub fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !((1u128 << 64) - 1))),
        },
    }
}

/// True the first time (per `warned`) a request carries `X-Forwarded-For`
/// while no proxy is trusted: the header is ignored then, so behind a proxy
/// every client shares the proxy's address, for the limits and the log.
pub fn first_ignored_forwarding(has_forwarded_for: bool, trusted: &[IpNet], warned: &AtomicBool) -> bool {
    has_forwarded_for && trusted.is_empty() && !warned.swap(true, Ordering::Relaxed)
}

/// `10.0.0.0/8` or a single address such as `10.1.2.3`.
pub fn parse_trusted(text: &str) -> Option<IpNet> {
    let text = text.trim();
    text.parse::<IpNet>().ok().or_else(|| text.parse::<IpAddr>().ok().map(IpNet::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn untrusted_peers_are_the_client_whatever_they_claim() {
        let trusted = [parse_trusted("10.0.0.0/8").unwrap()];
        assert_eq!(client_ip(ip("203.0.113.9"), &["198.51.100.1"], &trusted), ip("203.0.113.9"));
        assert_eq!(client_ip(ip("203.0.113.9"), &[], &[]), ip("203.0.113.9"));
    }

    #[test]
    fn trusted_hops_are_skipped_from_the_right() {
        let trusted = [parse_trusted("10.0.0.0/8").unwrap(), parse_trusted("192.0.2.7").unwrap()];
        // The client forged the first entry; the load balancer appended the real one.
        assert_eq!(client_ip(ip("10.0.0.1"), &["1.2.3.4, 198.51.100.1"], &trusted), ip("198.51.100.1"));
        assert_eq!(client_ip(ip("10.0.0.1"), &["1.2.3.4", "198.51.100.1, 192.0.2.7"], &trusted), ip("198.51.100.1"));
        assert_eq!(client_ip(ip("10.0.0.1"), &[], &trusted), ip("10.0.0.1"), "no header: the proxy itself");
        assert_eq!(client_ip(ip("10.0.0.1"), &["10.0.0.2"], &trusted), ip("10.0.0.2"), "all trusted: the leftmost");
        assert_eq!(client_ip(ip("10.0.0.1"), &["garbage, 198.51.100.1"], &trusted), ip("198.51.100.1"));
        assert_eq!(
            client_ip(ip("10.0.0.1"), &["198.51.100.1, garbage"], &trusted),
            ip("10.0.0.1"),
            "a broken hop ends the trust"
        );
        assert_eq!(client_ip(ip("::1"), &["2001:db8::1"], &[parse_trusted("::1").unwrap()]), ip("2001:db8::1"));
    }

    #[test]
    fn ipv6_addresses_count_by_their_64_network() {
        assert_eq!(address_key(ip("2001:db8:1:2:3:4:5:6")), ip("2001:db8:1:2::"));
        assert_eq!(address_key(ip("203.0.113.9")), ip("203.0.113.9"));
        assert_eq!(address_key(ip("::ffff:203.0.113.9")), ip("203.0.113.9"), "IPv4 seen through IPv6 stays itself");
    }

    #[test]
    fn ignored_forwarding_is_reported_once_and_only_without_trusted_proxies() {
        let warned = AtomicBool::new(false);
        assert!(!first_ignored_forwarding(false, &[], &warned));
        assert!(!first_ignored_forwarding(true, &[parse_trusted("10.0.0.0/8").unwrap()], &warned));
        assert!(first_ignored_forwarding(true, &[], &warned));
        assert!(!first_ignored_forwarding(true, &[], &warned), "once");
    }

    #[test]
    fn trusted_entries_are_networks_or_addresses() {
        assert!(parse_trusted("10.0.0.0/8").is_some());
        assert!(parse_trusted(" 127.0.0.1 ").is_some());
        assert!(parse_trusted("::1").is_some());
        assert!(parse_trusted("10.0.0.0/33").is_none());
        assert!(parse_trusted("proxy.local").is_none());
    }
}
