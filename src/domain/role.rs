//! The roles of the people Threshold pages.

use serde::{Deserialize, Serialize};

/// A contact's role; escalation tiers page roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    DesignatedStaff,
    Counsel,
    Manager,
    RapidResponse,
}

impl Role {
    pub fn token(self) -> &'static str {
        match self {
            Role::DesignatedStaff => "designated-staff",
            Role::Counsel => "counsel",
            Role::Manager => "manager",
            Role::RapidResponse => "rapid-response",
        }
    }
}

/// A way a contact is paged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Channel {
    Email,
    Webhook,
    Sms,
}

impl Channel {
    pub fn token(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Webhook => "webhook",
            Channel::Sms => "sms",
        }
    }
}
