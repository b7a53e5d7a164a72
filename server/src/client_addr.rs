//! The client's address: the connection's peer, or, when the peer is a
//! trusted reverse proxy (`--trusted-proxy`), the address the proxies name in
//! `X-Forwarded-For`. Forwarded headers from anyone else are ignored.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;

use crate::error::AppError;
use crate::state::AppState;

pub struct ClientAddr(pub IpAddr);

/// The rightmost forwarded address that is not itself a trusted proxy: each
/// proxy appends what it saw, so entries further left are the client's own claims.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .map(|entry| entry.parse::<IpAddr>().or_else(|_| entry.parse::<SocketAddr>().map(|a| a.ip())))
        .collect::<Result<_, _>>()
        .unwrap_or_default();
    forwarded.into_iter().rev().find(|ip| !trusted.contains(ip)).unwrap_or(peer)
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .ok_or_else(|| AppError::internal("no connection info"))?;
        Ok(Self(client_ip(peer, &parts.headers, &state.config.trusted_proxies)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in values {
            map.append("x-forwarded-for", v.parse().unwrap());
        }
        map
    }

    #[test]
    fn forwarded_addresses_count_only_from_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let client: IpAddr = "203.0.113.7".parse().unwrap();
        let stranger: IpAddr = "198.51.100.1".parse().unwrap();
        let forged = headers(&["1.2.3.4, 203.0.113.7"]);
        assert_eq!(client_ip(stranger, &forged, &[proxy]), stranger, "an untrusted peer cannot claim an address");
        assert_eq!(client_ip(proxy, &forged, &[proxy]), client, "the address the proxy appended, not the client's claim");
        assert_eq!(client_ip(proxy, &headers(&["203.0.113.7", "10.0.0.2"]), &[proxy]), client, "proxies in a chain are skipped");
        assert_eq!(client_ip(proxy, &HeaderMap::new(), &[proxy]), proxy);
        assert_eq!(client_ip(proxy, &headers(&["not an address"]), &[proxy]), proxy, "garbage is not believed");
    }
}
