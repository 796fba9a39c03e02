//! The page's filters, from the query string: `?kind=EcrRepository&condition=drifted`.

use crate::daemon::status::ResourceStatus;

/// Which condition a resource must be in to be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConditionFilter {
    /// `Synced` is `False`: the last reconcile failed.
    Error,
    /// `Drifted` is `True`.
    Drifted,
    /// `Terminal` is `True`.
    Terminal,
    /// `Ready` is `False`.
    NotReady,
    /// `Ready` is `True`.
    Ready,
}

impl ConditionFilter {
    /// Every filter, in the order the page offers them.
    pub const ALL: [Self; 5] = [
        Self::Error,
        Self::Drifted,
        Self::Terminal,
        Self::NotReady,
        Self::Ready,
    ];

    /// The query-string value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Drifted => "drifted",
            Self::Terminal => "terminal",
            Self::NotReady => "notready",
            Self::Ready => "ready",
        }
    }

    /// The label people read.
    pub fn label(self) -> &'static str {
        match self {
            Self::Error => "Not synced (errors)",
            Self::Drifted => "Drifted",
            Self::Terminal => "Terminal",
            Self::NotReady => "Not ready",
            Self::Ready => "Ready",
        }
    }

    fn matches(self, resource: &ResourceStatus) -> bool {
        match self {
            Self::Error => !resource.is("Synced"),
            Self::Drifted => resource.is("Drifted"),
            Self::Terminal => resource.is("Terminal"),
            Self::NotReady => !resource.is("Ready"),
            Self::Ready => resource.is("Ready"),
        }
    }
}

/// The kind and condition a resource must have to be shown; `None` shows all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// A manifest kind.
    pub kind: Option<String>,
    /// A condition.
    pub condition: Option<ConditionFilter>,
}

impl Filter {
    /// The filter of a query string; unknown keys and values are ignored. Kinds are
    /// `CamelCase` words, so no percent-decoding is needed: anything else matches nothing
    /// and is dropped.
    pub fn parse(query: Option<&str>) -> Self {
        let mut filter = Self::default();
        for pair in query.unwrap_or_default().split('&') {
            match pair.split_once('=') {
                Some(("kind", kind))
                    if !kind.is_empty() && kind.chars().all(|c| c.is_ascii_alphanumeric()) =>
                {
                    filter.kind = Some(kind.to_owned());
                }
                Some(("condition", value)) => {
                    filter.condition = ConditionFilter::ALL
                        .into_iter()
                        .find(|c| c.as_str() == value);
                }
                _ => {}
            }
        }
        filter
    }

    /// Whether `resource` is shown.
    pub fn matches(&self, resource: &ResourceStatus) -> bool {
        self.kind.as_ref().is_none_or(|kind| *kind == resource.kind)
            && self.condition.is_none_or(|c| c.matches(resource))
    }
}
