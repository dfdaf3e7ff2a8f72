//! The client's address behind load balancers. `X-Forwarded-For` is believed
//! only as far as it was written by proxies we trust: read from the right,
//! each trusted hop vouches for the address before it, and the first address
//! that is not a trusted proxy is the client. Anything further left was
//! written by the client itself and could say anything.

use ipnet::IpNet;
use std::net::IpAddr;

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
        assert_eq!(client_ip(ip("10.0.0.1"), &["198.51.100.1, garbage"], &trusted), ip("10.0.0.1"), "a broken hop ends the trust");
        assert_eq!(client_ip(ip("::1"), &["2001:db8::1"], &[parse_trusted("::1").unwrap()]), ip("2001:db8::1"));
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
