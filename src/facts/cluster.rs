//! Kubernetes objects that are not workloads, as facts: Services, PodDisruptionBudgets,
//! Namespaces and Secret values (compared, never shown).

use super::Password;
use crate::source::Span;

/// Label key/value pairs (a selector's `matchLabels`, a pod template's labels).
pub type Labels = Vec<(String, String)>;

/// A Service of the tree.
#[derive(Debug, Clone)]
pub struct K8sService {
    pub name: String,
    pub namespace: Option<String>,
    pub name_span: Span,
    pub headless: bool,
    pub publish_not_ready: bool,
    /// `spec.selector` (empty: endpoints are managed by hand).
    pub selector: Labels,
    /// Each port: `port`, and `targetPort` as written (a number or a port name).
    pub ports: Vec<(i64, Option<String>)>,
    /// `spec.type: NodePort` or `LoadBalancer`: reachable from outside the cluster, at
    /// the span of the type.
    pub external: Option<(String, Span)>,
}

impl K8sService {
    /// Whether the Service sends traffic to pods with these labels in this namespace
    /// (an unknown namespace on either side matches; an empty selector selects nothing,
    /// its endpoints being managed by hand).
    pub fn selects(&self, namespace: Option<&str>, labels: &Labels) -> bool {
        if self.selector.is_empty() {
            return false;
        }
        if let (Some(a), Some(b)) = (namespace, self.namespace.as_deref()) {
            if a != b {
                return false;
            }
        }
        self.selector
            .iter()
            .all(|(k, v)| labels.iter().any(|(lk, lv)| lk == k && lv == v))
    }
}

/// A NetworkPolicy of the tree: which pods it isolates, and what it lets through.
#[derive(Debug, Clone)]
pub struct NetworkPolicy {
    pub name: String,
    pub namespace: Option<String>,
    pub name_span: Span,
    /// `spec.podSelector.matchLabels` (empty: every pod of its namespace).
    pub pod_selector: Labels,
    /// A selector we cannot evaluate (`matchExpressions`).
    pub opaque: bool,
    /// `policyTypes` (Ingress unless written; Egress too when `egress` is written).
    pub ingress_isolates: bool,
    pub egress_isolates: bool,
    pub ingress: Vec<PolicyRule>,
    pub egress: Vec<PolicyRule>,
}

/// One `ingress` or `egress` rule: from/to whom, on which ports.
#[derive(Debug, Clone)]
pub struct PolicyRule {
    /// `None`: any peer.
    pub peers: Option<Vec<PolicyPeer>>,
    /// `None`: every port.
    pub ports: Option<Vec<PolicyPort>>,
}

#[derive(Debug, Clone)]
pub enum PolicyPeer {
    /// `podSelector` and/or `namespaceSelector` (`None`: not written; a selector with
    /// `matchExpressions` is `Some(None)`-like: see `opaque`).
    Pods {
        pods: Option<Labels>,
        namespaces: Option<Labels>,
        opaque: bool,
    },
    /// `ipBlock`: addresses we cannot match to pods.
    Addresses,
}

#[derive(Debug, Clone)]
pub struct PolicyPort {
    /// `None`: every port of the protocol. A named port cannot be resolved here.
    pub port: Option<Result<(i64, i64), String>>,
    pub protocol: String,
}

/// Cluster objects that are not workloads: Services, PodDisruptionBudgets, Namespaces and
/// Secret values (compared, never shown).
#[derive(Debug, Default, Clone)]
pub struct Cluster {
    pub services: Vec<K8sService>,
    pub network_policies: Vec<NetworkPolicy>,
    /// (namespace, matchLabels) of each PodDisruptionBudget.
    pub pdbs: Vec<(Option<String>, Labels)>,
    pub namespaces: Vec<String>,
    /// (secret, key, value).
    pub secrets: Vec<(String, String, Password)>,
}
