//! The networks a Vagrantfile gives its machines, read for one question: who outside the
//! machine running the VMs can reach a port of theirs. A `private_network` is host-only
//! (or an internal network): only that machine reaches it. A `public_network` bridges
//! the VMs onto the LAN. A `forwarded_port` opens a port of the host, on every interface
//! unless `host_ip` names one.

use std::ops::Range;

/// A `config.vm.network "forwarded_port", guest: G, host: H[, host_ip: IP]` line.
#[derive(Debug, Clone)]
pub struct ForwardedPort {
    pub guest: i64,
    pub host: Option<i64>,
    /// `host_ip`, when the line names one.
    pub host_ip: Option<String>,
    /// The line's text, from `forwarded_port` on.
    pub span: Range<usize>,
}

impl ForwardedPort {
    /// Vagrant binds the host's side on every interface when `host_ip` is not given.
    pub fn on_every_interface(&self) -> bool {
        self.host_ip
            .as_deref()
            .is_none_or(|ip| matches!(ip, "" | "0.0.0.0" | "::" | "*"))
    }
}

#[derive(Debug, Clone, Default)]
pub struct VagrantNetwork {
    /// The first `public_network` line.
    pub public: Option<Range<usize>>,
    pub private: bool,
    pub forwarded: Vec<ForwardedPort>,
    /// An Ansible provisioner runs a playbook on the VMs: they are a test bed for
    /// hosts the playbook also deploys to, not the deployment itself.
    pub ansible: bool,
}

/// The networks of a Vagrantfile; `None` when it names none (the VMs are on Vagrant's
/// NAT alone, reachable only through forwarded ports, of which it has none).
pub fn parse(text: &str) -> Option<VagrantNetwork> {
    let mut out = VagrantNetwork::default();
    let mut offset = 0;
    let mut any = false;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let code = line.split('#').next().unwrap_or_default();
        if code.contains("provision") && (code.contains("\"ansible") || code.contains(":ansible")) {
            out.ansible = true;
        }
        let Some(at) = code.find("vm.network") else {
            continue;
        };
        let rest = &code[at..];
        any = true;
        if rest.contains("public_network") {
            out.public
                .get_or_insert(start + at..start + code.trim_end().len());
        } else if rest.contains("private_network") {
            out.private = true;
        } else if let Some(kind) = rest.find("forwarded_port") {
            let number = |key: &str| -> Option<i64> {
                let after = &rest[rest.find(key)? + key.len()..];
                let digits: String = after
                    .trim_start_matches([':', ' ', '=', '>'])
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                digits.parse().ok()
            };
            let Some(guest) = number("guest") else {
                continue;
            };
            let host_ip = rest.find("host_ip").map(|i| {
                rest[i + "host_ip".len()..]
                    .trim_start_matches([':', ' ', '=', '>'])
                    .split([',', ' ', '\n'])
                    .next()
                    .unwrap_or_default()
                    .trim_matches(['"', '\''])
                    .to_string()
            });
            out.forwarded.push(ForwardedPort {
                guest,
                host: number("host:").or_else(|| number("host ")),
                host_ip,
                span: start + at + kind..start + code.trim_end().len(),
            });
        }
    }
    any.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_of_a_vagrantfile() {
        let text = "Vagrant.configure(\"2\") do |config|\n  # config.vm.network \"public_network\"\n  config.vm.define \"a\" do |a|\n    a.vm.network \"private_network\", ip: \"192.168.33.10\"\n    a.vm.network \"forwarded_port\", guest: 26379, host: 26310  # sentinel\n    a.vm.network :forwarded_port, guest: 6379, host: 6310, host_ip: \"127.0.0.1\"\n  end\nend\n";
        let n = parse(text).unwrap();
        assert!(n.public.is_none() && n.private);
        assert_eq!(n.forwarded.len(), 2);
        assert_eq!(
            (n.forwarded[0].guest, n.forwarded[0].host),
            (26379, Some(26310))
        );
        assert!(n.forwarded[0].on_every_interface());
        assert!(!n.forwarded[1].on_every_interface());
        assert!(text[n.forwarded[0].span.clone()].starts_with("forwarded_port"));
        assert!(!n.ansible);
        assert!(parse("Vagrant.configure(\"2\") do |c|\nend\n").is_none());
        let n = parse("c.vm.network \"private_network\", ip: \"10.0.0.2\"\nc.vm.provision \"ansible\" do |a|\n").unwrap();
        assert!(n.ansible);
    }
}
