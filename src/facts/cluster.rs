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
}

/// Cluster objects that are not workloads: Services, PodDisruptionBudgets, Namespaces and
/// Secret values (compared, never shown).
#[derive(Debug, Default, Clone)]
pub struct Cluster {
    pub services: Vec<K8sService>,
    /// (namespace, matchLabels) of each PodDisruptionBudget.
    pub pdbs: Vec<(Option<String>, Labels)>,
    pub namespaces: Vec<String>,
    /// (secret, key, value).
    pub secrets: Vec<(String, String, Password)>,
}
