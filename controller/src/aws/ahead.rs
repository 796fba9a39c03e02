//! The SDK's configuration loaded ahead, while the manifests load: a one-shot command's
//! first AWS call otherwise waits for both, one after the other.
//!
//! Before the manifests are read, the region is known only from `--region` or the
//! environment (`AWS_REGION`, `AWS_DEFAULT_REGION`); a Posture document may name another, or
//! name one where neither does. So the configuration loaded ahead asks the region of those
//! two sources only (never of a profile or of instance metadata: no network call, whatever
//! the manifests turn out to be), and it is used only when it is the configuration the
//! settings would load: same endpoint, and a region that is the one the settings name, or,
//! when they name none, the one the SDK's own chain finds first (the environment's).
//! Otherwise the configuration is loaded afresh, as without the head start.

use aws_config::environment::region::EnvironmentVariableRegionProvider;
use aws_config::{BehaviorVersion, ConfigLoader, Region, SdkConfig};
use tokio::task::JoinHandle;

use super::AwsSettings;
use super::clients::ClientPolicy;

/// A configuration being loaded on the runtime, from what is known before the manifests.
#[derive(Debug)]
pub struct ConfigAhead {
    /// The endpoint it was loaded for.
    endpoint_url: Option<String>,
    /// The clients' policy, whose HTTP client the configuration's own providers share.
    policy: ClientPolicy,
    /// The load itself.
    task: JoinHandle<SdkConfig>,
}

impl ConfigAhead {
    /// Starts loading the configuration `known` describes (`--endpoint-url`, `--region`) on
    /// `runtime`, the region from the environment when `known` has none.
    pub fn start(runtime: &tokio::runtime::Handle, known: &AwsSettings) -> Self {
        let policy = ClientPolicy::new();
        let loader = base(known.endpoint_url.as_deref(), &policy);
        let loader = match &known.region {
            Some(region) => loader.region(Region::new(region.clone())),
            None => loader.region(EnvironmentVariableRegionProvider::new()),
        };
        Self {
            endpoint_url: known.endpoint_url.clone(),
            policy,
            task: runtime.spawn(loader.load()),
        }
    }

    /// The configuration `settings` ask for, with the policy it was loaded with: the one
    /// loaded ahead when it is that one, else loaded now.
    pub(super) async fn finish(self, settings: &AwsSettings) -> (SdkConfig, ClientPolicy) {
        if let Ok(config) = self.task.await
            && self.endpoint_url == settings.endpoint_url
            && is_for_region(&config, settings.region.as_deref())
        {
            return (config, self.policy);
        }
        let config = load(settings, &self.policy).await;
        (config, self.policy)
    }
}

/// Whether `config` is what the SDK loads when asked for `region`: it has a region, and it
/// is `region` when one is asked for (none asked for: the chain's first source, the
/// environment, is the one `config` read).
fn is_for_region(config: &SdkConfig, region: Option<&str>) -> bool {
    match (config.region(), region) {
        (Some(have), Some(want)) => have.as_ref() == want,
        (Some(_), None) => true,
        (None, _) => false,
    }
}

/// Loads the configuration `settings` ask for, the region from the SDK's whole chain when
/// they name none.
pub(super) async fn load(settings: &AwsSettings, policy: &ClientPolicy) -> SdkConfig {
    let mut loader = base(settings.endpoint_url.as_deref(), policy);
    if let Some(region) = &settings.region {
        loader = loader.region(Region::new(region.clone()));
    }
    loader.load().await
}

/// The SDK's standard chain with the shared HTTP client and the endpoint override.
fn base(endpoint_url: Option<&str>, policy: &ClientPolicy) -> ConfigLoader {
    let loader = aws_config::defaults(BehaviorVersion::latest()).http_client(policy.http.clone());
    match endpoint_url {
        Some(url) => loader.endpoint_url(url),
        None => loader,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(region: Option<&str>) -> SdkConfig {
        let builder = SdkConfig::builder().behavior_version(BehaviorVersion::latest());
        match region {
            Some(region) => builder.region(Region::new(region.to_owned())).build(),
            None => builder.build(),
        }
    }

    #[test]
    fn a_configuration_loaded_ahead_serves_only_the_region_it_has() {
        assert!(is_for_region(
            &config(Some("eu-central-1")),
            Some("eu-central-1")
        ));
        assert!(!is_for_region(
            &config(Some("eu-central-1")),
            Some("us-east-1")
        ));
        assert!(is_for_region(&config(Some("eu-central-1")), None));
        assert!(!is_for_region(&config(None), Some("eu-central-1")));
        assert!(!is_for_region(&config(None), None));
    }
}
