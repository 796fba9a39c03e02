//! What a registration line says of one capability: provided, declined with a reason, or
//! not said at all (an error the kinds module's test reports).

/// A capability as a registration gives it.
#[derive(Debug, Clone, Copy)]
pub enum Capability<T> {
    /// The kind has it.
    Provided(T),
    /// The kind does not have it, for this reason.
    Declined(&'static str),
    /// The registration says nothing (an error: see [`ErasedKind::undeclared`]).
    Undeclared,
}

impl<T> Capability<T> {
    pub(super) fn provided(&self) -> Option<&T> {
        match self {
            Self::Provided(ops) => Some(ops),
            Self::Declined(_) | Self::Undeclared => None,
        }
    }

    pub(super) fn declared(&self) -> bool {
        !matches!(self, Self::Undeclared)
    }

    pub(super) fn describe(&self, name: &'static str) -> String {
        match self {
            Self::Provided(_) => name.to_owned(),
            Self::Declined(why) => format!("not {name}: {why}"),
            Self::Undeclared => format!("{name}: undeclared"),
        }
    }
}
