//! "The nearest one in the directory tree", as an index.
//!
//! Names are local to a deployment: two compose projects of one repository both call
//! their master `redis-master`, two Kubernetes deployments both mount a ConfigMap named
//! `redis-config`. A name used in a file means the item of that name whose directory
//! shares the longest leading path with the file's directory.
//!
//! Comparing the file with every item of the name is quadratic over a monorepo. Here each
//! item is filed under every ancestor of its directory, so a query walks up the
//! ancestors of the asking directory and stops at the first one that holds an item of
//! the name: O(depth) lookups, whatever the number of items.

use std::collections::HashMap;
use std::hash::Hash;
use std::path::Path;

pub struct NearestIndex<'a, K> {
    by_key: HashMap<K, Items<'a>>,
}

/// The items of one key: all of them, and those under each ancestor directory.
#[derive(Default)]
struct Items<'a> {
    all: Vec<usize>,
    by_prefix: HashMap<&'a Path, Vec<usize>>,
}

impl<'a, K: Hash + Eq> Default for NearestIndex<'a, K> {
    fn default() -> Self {
        NearestIndex {
            by_key: HashMap::new(),
        }
    }
}

impl<'a, K: Hash + Eq> NearestIndex<'a, K> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// Every key held, in no particular order.
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.by_key.keys()
    }

    /// File `item` (an index into the caller's list) under `key`, living in `dir`.
    /// Items of one key must be inserted in increasing order for results in that order.
    pub fn insert(&mut self, key: K, dir: &'a Path, item: usize) {
        let items = self.by_key.entry(key).or_default();
        items.all.push(item);
        for ancestor in dir.ancestors() {
            items.by_prefix.entry(ancestor).or_default().push(item);
        }
    }

    /// Every item of `key`, in insertion order.
    pub fn all(&self, key: &K) -> &[usize] {
        self.by_key
            .get(key)
            .map_or(&[], |items| items.all.as_slice())
    }

    /// The items of `key` nearest to `near`: those whose directory shares the most
    /// leading components with it. Without `near`, every item of the key.
    pub fn nearest(&self, key: &K, near: Option<&Path>) -> &[usize] {
        let Some(items) = self.by_key.get(key) else {
            return &[];
        };
        near.and_then(|near| near.ancestors().find_map(|a| items.by_prefix.get(a)))
            // No shared leading component at all (a relative and an absolute path):
            // all items are equally near.
            .unwrap_or(&items.all)
    }

    /// The nearest items of any of `keys`, leaving out the `excluded` ones, sorted and
    /// without duplicates: the nearest of the union, not the union of the nearest.
    pub fn nearest_of_any(
        &self,
        keys: &[K],
        near: Option<&Path>,
        excluded: impl Fn(usize) -> bool,
    ) -> Vec<usize> {
        let entries: Vec<&Items> = keys.iter().filter_map(|k| self.by_key.get(k)).collect();
        let collect = |lists: &mut dyn Iterator<Item = &Vec<usize>>| {
            let mut out: Vec<usize> = lists.flatten().copied().filter(|&i| !excluded(i)).collect();
            out.sort_unstable();
            out.dedup();
            out
        };
        if let Some(near) = near {
            for ancestor in near.ancestors() {
                let found = collect(&mut entries.iter().filter_map(|i| i.by_prefix.get(ancestor)));
                if !found.is_empty() {
                    return found;
                }
            }
        }
        collect(&mut entries.iter().map(|i| &i.all))
    }
}

/// Paths by every trailing run of their components, so "which paths end with
/// `etc/redis/redis.conf`" is one lookup, not a scan of every path.
#[derive(Default)]
pub struct SuffixIndex<'a> {
    by_suffix: HashMap<&'a Path, Vec<usize>>,
}

impl<'a> SuffixIndex<'a> {
    pub fn new() -> Self {
        Self::default()
    }

    /// File `item` under every suffix of `path` (the empty one included).
    pub fn insert(&mut self, path: &'a Path, item: usize) {
        for ancestor in path.ancestors() {
            if let Ok(suffix) = path.strip_prefix(ancestor) {
                self.by_suffix.entry(suffix).or_default().push(item);
            }
        }
    }

    /// Items whose path ends with `suffix` (as [`Path::ends_with`] compares), in
    /// insertion order.
    pub fn ending_with(&self, suffix: &Path) -> &[usize] {
        self.by_suffix.get(suffix).map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes() {
        let paths = [
            Path::new("/tree/a/etc/redis/redis.conf"),
            Path::new("b/etc/redis/redis.conf"),
            Path::new("b/etc/redis/sentinel.conf"),
        ];
        let mut index = SuffixIndex::new();
        for (i, p) in paths.iter().enumerate() {
            index.insert(p, i);
        }
        for suffix in [
            "redis.conf",
            "etc/redis/redis.conf",
            "a/etc/redis/redis.conf",
            "",
            "tree/a/etc/redis/redis.conf",
            "nope.conf",
        ] {
            let expected: Vec<usize> = (0..paths.len())
                .filter(|&i| paths[i].ends_with(suffix))
                .collect();
            assert_eq!(
                index.ending_with(Path::new(suffix)),
                expected.as_slice(),
                "{suffix}"
            );
        }
    }

    #[test]
    fn nearest_by_shared_prefix() {
        let dirs = [
            Path::new("compose/a"),
            Path::new("compose/b"),
            Path::new("compose/b/sub"),
            Path::new("k8s/c"),
        ];
        let mut index = NearestIndex::new();
        for (i, d) in dirs.iter().enumerate() {
            index.insert("redis-master", d, i);
        }
        assert_eq!(
            index.nearest(&"redis-master", Some(Path::new("compose/a/sentinel-1"))),
            &[0]
        );
        assert_eq!(
            index.nearest(&"redis-master", Some(Path::new("compose/b"))),
            &[1, 2]
        );
        assert_eq!(
            index.nearest(&"redis-master", Some(Path::new("compose/z"))),
            &[0, 1, 2]
        );
        assert_eq!(
            index.nearest(&"redis-master", Some(Path::new("other"))),
            &[0, 1, 2, 3]
        );
        assert_eq!(index.nearest(&"redis-master", None).len(), 4);
        assert!(index
            .nearest(&"nope", Some(Path::new("compose/a")))
            .is_empty());
        index.insert("other", Path::new("compose/a/x"), 4);
        assert_eq!(
            index.nearest_of_any(
                &["redis-master", "other"],
                Some(Path::new("compose/a/x")),
                |_| false
            ),
            vec![4]
        );
        assert_eq!(
            index.nearest_of_any(
                &["redis-master", "other"],
                Some(Path::new("compose/a/x")),
                |i| i == 4
            ),
            vec![0]
        );
        assert_eq!(
            index.nearest_of_any(&["redis-master", "other"], None, |i| i == 3),
            vec![0, 1, 2, 4]
        );
    }
}
