//! Who a request comes from: the connection's peer, or, when the peer is
//! one of `[admin] trusted_proxies`, the client its `X-Forwarded-For`
//! names. Limits count clients by network: an IPv4 address, or an IPv6 /64
//! (one household or phone gets a whole /64, so counting single IPv6
//! addresses would let one client count as billions).

use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use ipnet::IpNet;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};

/// The network a client address is counted under.
pub fn network_of(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// Whether `ip` is one of the trusted proxies.
pub fn trusted(ip: IpAddr, proxies: &[IpNet]) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    proxies.iter().any(|p| p.contains(&ip))
}

/// The client behind `peer`: `peer` itself unless it is a trusted proxy;
/// then the last address in `X-Forwarded-For` that is not a trusted proxy
/// (proxies append, so the entries before it are the client's own say and
/// are not believed). A header that does not parse names nobody: `peer`.
pub fn client_of(peer: IpAddr, headers: &HeaderMap, proxies: &[IpNet]) -> IpAddr {
    if !trusted(peer, proxies) {
        return peer;
    }
    let mut forwarded: Vec<IpAddr> = Vec::new();
    for value in headers.get_all("x-forwarded-for") {
        let Ok(text) = value.to_str() else {
            return peer;
        };
        for item in text.split(',') {
            match parse_forwarded(item) {
                Some(ip) => forwarded.push(ip),
                None => return peer,
            }
        }
    }
    forwarded
        .into_iter()
        .rev()
        .find(|ip| !trusted(*ip, proxies))
        .unwrap_or(peer)
}

/// One `X-Forwarded-For` entry: an address, perhaps with a port, IPv6 in
/// brackets when it has one.
fn parse_forwarded(item: &str) -> Option<IpAddr> {
    let item = item.trim();
    if let Ok(ip) = item.parse::<IpAddr>() {
        return Some(ip);
    }
    item.parse::<SocketAddr>().ok().map(|s| s.ip())
}

/// The client of a request, when the server knows the peer (router tests
/// have none).
pub fn client_address(parts: &Parts, proxies: &[IpNet]) -> Option<IpAddr> {
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>()?.0.ip();
    Some(client_of(peer, &parts.headers, proxies))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ipv6_clients_count_per_64_and_mapped_ipv4_as_ipv4() {
        assert_eq!(
            network_of(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")),
            ip("2001:db8:1:2::")
        );
        assert_eq!(
            network_of(ip("2001:db8:1:2:ffff::1")),
            network_of(ip("2001:db8:1:2::99"))
        );
        assert_ne!(
            network_of(ip("2001:db8:1:3::1")),
            network_of(ip("2001:db8:1:2::1"))
        );
        assert_eq!(network_of(ip("::ffff:192.0.2.7")), ip("192.0.2.7"));
        assert_eq!(network_of(ip("192.0.2.7")), ip("192.0.2.7"));
    }

    #[test]
    fn forwarded_for_is_believed_from_trusted_proxies_only() {
        let proxies = vec![
            crate::config::parse_network("127.0.0.1").unwrap(),
            crate::config::parse_network("10.0.0.0/8").unwrap(),
        ];
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("203.0.113.9, 198.51.100.4, 10.1.2.3"),
        );
        // A stranger's header is ignored.
        assert_eq!(client_of(ip("192.0.2.1"), &h, &proxies), ip("192.0.2.1"));
        // Through two trusted proxies: the last untrusted entry, not the
        // first (which the client wrote itself).
        assert_eq!(client_of(ip("127.0.0.1"), &h, &proxies), ip("198.51.100.4"));
        assert_eq!(
            client_of(ip("::ffff:127.0.0.1"), &h, &proxies),
            ip("198.51.100.4")
        );
        // No header, or one that does not parse: the proxy itself.
        assert_eq!(
            client_of(ip("127.0.0.1"), &HeaderMap::new(), &proxies),
            ip("127.0.0.1")
        );
        h.insert("x-forwarded-for", HeaderValue::from_static("nonsense"));
        assert_eq!(client_of(ip("127.0.0.1"), &h, &proxies), ip("127.0.0.1"));
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("[2001:db8::5]:4711"),
        );
        assert_eq!(client_of(ip("127.0.0.1"), &h, &proxies), ip("2001:db8::5"));
    }
}
