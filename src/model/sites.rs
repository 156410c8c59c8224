//! Failure domains the user declares (`[topology] sites` of redis-halint.toml): the site a
//! process runs in, from the addresses and host names it is known by.

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Site {
    pub name: String,
    /// IP addresses and IPv4 networks (`10.0.1.0/24`).
    pub addresses: Vec<String>,
    /// Host names (also matched against the directories of a config's path:
    /// `hosts/dc1-a/sentinel.conf` runs on `dc1-a`).
    pub hosts: Vec<String>,
}

impl Site {
    /// Whether a process known by `name` (an address or a host name) runs in this site.
    pub fn holds(&self, name: &str) -> bool {
        self.addresses.iter().any(|a| match a.split_once('/') {
            Some((net, bits)) => in_network(name, net, bits),
            None => a.eq_ignore_ascii_case(name),
        }) || self.hosts.iter().any(|h| h.eq_ignore_ascii_case(name))
    }
}

/// The one site that holds any of the names, or `None` (no site, or two that disagree).
pub fn site_of<'a>(sites: &[Site], names: impl IntoIterator<Item = &'a str>) -> Option<usize> {
    let mut found = None;
    for name in names {
        for (i, site) in sites.iter().enumerate() {
            if site.holds(name) {
                match found {
                    None => found = Some(i),
                    Some(j) if j == i => {}
                    Some(_) => return None,
                }
            }
        }
    }
    found
}

fn in_network(ip: &str, net: &str, bits: &str) -> bool {
    let (Ok(ip), Ok(net), Ok(bits)) = (
        ip.parse::<std::net::Ipv4Addr>(),
        net.parse::<std::net::Ipv4Addr>(),
        bits.parse::<u32>(),
    ) else {
        return false;
    };
    if bits > 32 {
        return false;
    }
    let mask = if bits == 0 {
        0
    } else {
        u32::MAX << (32 - bits)
    };
    u32::from(ip) & mask == u32::from(net) & mask
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_addresses_and_hosts() {
        let sites = vec![
            Site {
                name: "dc1".into(),
                addresses: vec!["10.0.1.0/24".into()],
                hosts: vec!["dc1-a".into()],
            },
            Site {
                name: "dc2".into(),
                addresses: vec!["10.0.2.7".into()],
                hosts: vec![],
            },
        ];
        assert_eq!(site_of(&sites, ["10.0.1.200"]), Some(0));
        assert_eq!(site_of(&sites, ["10.0.2.7"]), Some(1));
        assert_eq!(site_of(&sites, ["10.0.2.8"]), None);
        assert_eq!(site_of(&sites, ["DC1-A"]), Some(0));
        assert_eq!(
            site_of(&sites, ["10.0.1.5", "10.0.2.7"]),
            None,
            "two sites disagree"
        );
        assert!(!sites[0].holds("not-an-ip"));
    }
}
