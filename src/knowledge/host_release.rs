//! The release a provisioned host installs, read from how the tree installs it: a source
//! tarball (`redis-6.2.14.tar.gz`, or `redis-stable`, the newest), or the distribution's
//! own package on a named distribution (a Vagrant box, a base image), whose release
//! each distribution fixes. A third-party repository (a PPA, packages.redis.io, Remi)
//! gives no answer.

use super::version::{Flavor, Target, Version};

/// What the text of one provisioning file (a Vagrantfile, a shell script, Ansible tasks)
/// says, with the byte range that says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Install {
    /// Built from a release tarball (`redis-stable`: the newest release).
    Source(Target, std::ops::Range<usize>),
    /// The distribution's package (`apt-get install redis-server`, `yum install redis`).
    DistroPackage,
    /// Debian's or Ubuntu's `redis-server` package, installed with apt at this range: its
    /// own systemd unit runs `/etc/redis/redis.conf` with `Restart=always`.
    AptServer(std::ops::Range<usize>),
    /// A package from elsewhere than the distribution: the release is not known.
    ThirdParty,
    /// The distribution the machine runs, and the release its package is.
    Distribution(Target, std::ops::Range<usize>),
}

/// Distribution releases and the Redis their own package installs (Ubuntu and Debian
/// archives, EPEL 7, RHEL 8/9 AppStream), by the words a box or image name uses.
const DISTRIBUTIONS: &[(&[&str], Version)] = &[
    (
        &["trusty", "ubuntu-14.04", "ubuntu1404", "ubuntu:14.04"],
        Version::new(2, 8, 4),
    ),
    (
        &["xenial", "ubuntu-16.04", "ubuntu1604", "ubuntu:16.04"],
        Version::new(3, 0, 6),
    ),
    (
        &["bionic", "ubuntu-18.04", "ubuntu1804", "ubuntu:18.04"],
        Version::new(4, 0, 9),
    ),
    (
        &["focal", "ubuntu-20.04", "ubuntu2004", "ubuntu:20.04"],
        Version::new(5, 0, 7),
    ),
    (
        &["jammy", "ubuntu-22.04", "ubuntu2204", "ubuntu:22.04"],
        Version::new(6, 0, 16),
    ),
    (
        &["noble", "ubuntu-24.04", "ubuntu2404", "ubuntu:24.04"],
        Version::new(7, 0, 15),
    ),
    (
        &["jessie", "debian-8", "debian8", "debian:8"],
        Version::new(2, 8, 17),
    ),
    (
        &["stretch", "debian-9", "debian9", "debian:9"],
        Version::new(3, 2, 6),
    ),
    (
        &["buster", "debian-10", "debian10", "debian:10"],
        Version::new(5, 0, 3),
    ),
    (
        &["bullseye", "debian-11", "debian11", "debian:11"],
        Version::new(6, 0, 16),
    ),
    (
        &["bookworm", "debian-12", "debian12", "debian:12"],
        Version::new(7, 0, 15),
    ),
    (
        &[
            "centos/7", "centos-7", "centos7", "centos:7", "rhel7", "rhel-7",
        ],
        Version::new(3, 2, 12),
    ),
    (
        &[
            "centos/8",
            "centos-8",
            "centos8",
            "rocky8",
            "rockylinux-8",
            "almalinux-8",
            "rhel8",
            "rhel-8",
        ],
        Version::new(5, 0, 3),
    ),
    (
        &[
            "rocky9",
            "rockylinux-9",
            "almalinux-9",
            "rhel9",
            "rhel-9",
            "centos-stream-9",
        ],
        Version::new(6, 2, 7),
    ),
];

fn redis(version: Version) -> Target {
    Target {
        flavor: Flavor::Redis,
        version,
    }
}

/// Everything one provisioning file says about the release it installs.
pub fn read(text: &str) -> Vec<Install> {
    let lower = text.to_ascii_lowercase();
    let mut out = Vec::new();
    // Source tarballs: `redis-stable`, `redis-7.2.4.tar.gz` (a bare `redis-6.0.9` folder
    // name is not taken: it may be anything).
    if let Some(at) = lower.find("redis-stable") {
        out.push(Install::Source(
            Target::NEWEST_REDIS,
            at..at + "redis-stable".len(),
        ));
    }
    let mut from = 0;
    while let Some(i) = lower[from..].find("redis-").map(|i| i + from) {
        from = i + 6;
        let rest = &lower[from..];
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let word = rest[..end].trim_end_matches('.');
        // The digits stop at `tar`, the dot before it included.
        let tarball = rest[..end].ends_with('.') && rest[end..].starts_with("tar");
        if word.matches('.').count() == 2 && tarball {
            if let Some(version) = Version::parse(word) {
                out.push(Install::Source(redis(version), i..from + word.len()));
            }
        }
    }
    let third_party = [
        "ppa:",
        "packages.redis.io",
        "remi",
        "redislabs",
        "chris-lea",
    ];
    if third_party.iter().any(|p| lower.contains(p)) {
        out.push(Install::ThirdParty);
    }
    let names_redis = |line: &str| {
        line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .any(|w| w == "redis" || w == "redis-server" || w == "redis-sentinel")
    };
    let is_package_line = |line: &str| {
        line.contains("install")
            || line.contains("apt:")
            || line.contains("yum:")
            || line.contains("dnf:")
            || line.contains("package:")
            || line.contains("pkg.installed")
            || line.contains("apk add")
    };
    // A package module whose arguments follow on lines of their own (an Ansible task's
    // `apt:` with `name: redis-server` or a `pkg:` list below it).
    let names_server = |line: &str| {
        line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .any(|w| w == "redis" || w == "redis-server")
    };
    // The module that is open, its indentation and whether it is apt.
    let mut module: Option<(usize, bool)> = None;
    let mut installs = false;
    let mut apt_server: Option<std::ops::Range<usize>> = None;
    for line in lower.lines() {
        let at = line.as_ptr() as usize - lower.as_ptr() as usize;
        let indent = line.len() - line.trim_start().len();
        let trimmed = line.trim();
        let range = at + indent..at + line.len();
        if let Some((open_at, apt)) = module {
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            if indent > open_at {
                let argument = trimmed.trim_start_matches("- ");
                let names_package = argument.starts_with("name:")
                    || argument.starts_with("pkg:")
                    || trimmed.starts_with('-');
                if names_package && names_redis(argument) {
                    installs = true;
                    if apt && names_server(argument) && apt_server.is_none() {
                        apt_server = Some(range);
                    }
                }
                continue;
            }
            module = None;
        }
        if is_package_line(line) && names_redis(line) {
            installs = true;
            if line.contains("apt") && names_server(line) && apt_server.is_none() {
                apt_server = Some(range.clone());
            }
        }
        let key = trimmed
            .trim_start_matches("- ")
            .strip_suffix(':')
            .map(|k| k.rsplit('.').next().unwrap_or(k));
        if matches!(key, Some("apt" | "yum" | "dnf" | "package" | "apk")) {
            module = Some((indent, key == Some("apt")));
        }
    }
    if installs {
        out.push(Install::DistroPackage);
    }
    if let Some(range) = apt_server {
        out.push(Install::AptServer(range));
    }
    // `config.vm.box = "ubuntu/bionic64"`, `FROM ubuntu:18.04`, `image: debian:12`.
    for line in lower.lines() {
        let names_machine =
            line.contains("vm.box") || line.contains("box =") || line.contains("image:");
        if !names_machine {
            continue;
        }
        let line_at = line.as_ptr() as usize - lower.as_ptr() as usize;
        for (words, version) in DISTRIBUTIONS {
            if let Some(w) = words
                .iter()
                .find_map(|w| line.find(w).map(|p| (p, w.len())))
            {
                let (p, len) = w;
                out.push(Install::Distribution(
                    redis(*version),
                    line_at + p..line_at + p + len,
                ));
            }
        }
    }
    out
}

/// The release a tree's hosts run, from what all its provisioning files say: one source
/// release, or the distribution package on one distribution; `None` when they disagree
/// or say nothing. The index of the file and the range name where it is said.
pub fn decide(files: &[(usize, Vec<Install>)]) -> Option<(Target, usize, std::ops::Range<usize>)> {
    let all = || {
        files
            .iter()
            .flat_map(|(f, found)| found.iter().map(move |i| (*f, i)))
    };
    let sources: Vec<(usize, &Target, &std::ops::Range<usize>)> = all()
        .filter_map(|(f, i)| match i {
            Install::Source(t, r) => Some((f, t, r)),
            _ => None,
        })
        .collect();
    if let Some((f, t, r)) = sources.first() {
        return sources
            .iter()
            .all(|(_, other, _)| other == t)
            .then(|| (**t, *f, (*r).clone()));
    }
    let package = all().any(|(_, i)| *i == Install::DistroPackage);
    let third = all().any(|(_, i)| *i == Install::ThirdParty);
    if !package || third {
        return None;
    }
    let distributions: Vec<(usize, &Target, &std::ops::Range<usize>)> = all()
        .filter_map(|(f, i)| match i {
            Install::Distribution(t, r) => Some((f, t, r)),
            _ => None,
        })
        .collect();
    let (f, t, r) = distributions.first()?;
    distributions
        .iter()
        .all(|(_, other, _)| other == t)
        .then(|| (**t, *f, (*r).clone()))
}

/// Where the tree installs Debian's or Ubuntu's `redis-server` package, whose own unit
/// restarts the server (`Restart=always`): only when nothing else installs Redis (a
/// source build, another repository's package) and no distribution older than Ubuntu
/// 18.04 or Debian 10 is named (earlier units are not relied on).
pub fn apt_server_unit(files: &[(usize, Vec<Install>)]) -> Option<(usize, std::ops::Range<usize>)> {
    let all = || {
        files
            .iter()
            .flat_map(|(f, found)| found.iter().map(move |i| (*f, i)))
    };
    let elsewhere = all().any(|(_, i)| matches!(i, Install::Source(..) | Install::ThirdParty));
    let old = all().any(
        |(_, i)| matches!(i, Install::Distribution(t, _) if t.version < Version::new(4, 0, 9)),
    );
    if elsewhere || old {
        return None;
    }
    all().find_map(|(f, i)| match i {
        Install::AptServer(r) => Some((f, r.clone())),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_box_and_the_distribution_package_give_its_release() {
        let vagrant =
            read("Vagrant.configure(\"2\") do |c|\n  node.vm.box = \"bento/ubuntu-16.04\"\nend\n");
        let script = read("sudo apt-get install redis -y\n");
        let (release, file, _) = decide(&[(0, vagrant), (1, script)]).unwrap();
        assert_eq!(release.version, Version::new(3, 0, 6));
        assert_eq!(file, 0);
    }

    #[test]
    fn a_ppa_leaves_it_open_and_a_tarball_decides() {
        let vagrant = read("config.vm.box = \"ubuntu/bionic64\"\n");
        let script = read(
            "add-apt-repository ppa:chris-lea/redis-server\napt-get install -y redis-server\n",
        );
        assert!(decide(&[(0, vagrant.clone()), (1, script)]).is_none());
        let built = read("wget http://download.redis.io/releases/redis-6.2.14.tar.gz\n");
        let (release, _, _) = decide(&[(0, vagrant), (1, built)]).unwrap();
        assert_eq!(release.version, Version::new(6, 2, 14));
        let stable = read("curl -O http://download.redis.io/redis-stable.tar.gz\n");
        assert_eq!(decide(&[(0, stable)]).unwrap().0, Target::NEWEST_REDIS);
    }

    #[test]
    fn an_ansible_package_module_names_its_package_on_the_lines_below() {
        let vagrant = read("config.vm.box = \"hashicorp/bionic64\"\n");
        let task = read("- name: install\n  ansible.builtin.apt:\n    name: redis-server\n    update_cache: yes\n");
        let (release, _, _) = decide(&[(0, vagrant.clone()), (1, task)]).unwrap();
        assert_eq!(release.version, Version::new(4, 0, 9));
        let list = read("- apt:\n    pkg:\n      - redis-sentinel\n");
        assert!(decide(&[(0, vagrant.clone()), (1, list)]).is_some());
        // Another package's module, then a key of the task that names redis.
        let other = read("- apt:\n    name: nginx\n  notify: restart redis\n");
        assert!(decide(&[(0, vagrant.clone()), (1, other.clone())]).is_none());
        assert!(apt_server_unit(&[(1, other)]).is_none());
    }

    #[test]
    fn the_apt_server_package_brings_its_restarting_unit() {
        let task = read("- name: install\n  ansible.builtin.apt:\n    name: redis-server\n");
        let (_, range) = apt_server_unit(&[(0, task.clone())]).unwrap();
        assert_eq!(range, 43..61);
        let script = read("apt-get install -y redis-server\n");
        assert!(apt_server_unit(&[(0, script.clone())]).is_some());
        // Only the sentinel package, a package of another repository, an old release.
        assert!(apt_server_unit(&[(0, read("apt install redis-sentinel\n"))]).is_none());
        let ppa = read("add-apt-repository ppa:chris-lea/redis-server\n");
        assert!(apt_server_unit(&[(0, task.clone()), (1, ppa)]).is_none());
        let xenial = read("config.vm.box = \"ubuntu/xenial64\"\n");
        assert!(apt_server_unit(&[(0, script), (1, xenial)]).is_none());
        let yum = read("yum install -y redis\n");
        assert!(apt_server_unit(&[(0, yum)]).is_none());
    }
}
