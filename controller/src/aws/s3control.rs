//! The S3 Control client. Its endpoint rules put the account id in front of the host name
//! (`123456789012.s3-control.eu-central-1.amazonaws.com`), also in front of an overridden
//! endpoint, where an emulator on `127.0.0.1` has no such names: with an endpoint override,
//! the account id is left out of the endpoint's resolution (it still goes in the
//! `x-amz-account-id` header, which is what names the account). Without one, the SDK's rules
//! resolve as they always do.

use aws_sdk_s3control::config::endpoint::{
    DefaultResolver, EndpointFuture, Params, ResolveEndpoint,
};

/// Resolves as the SDK does, without the account id's host prefix.
#[derive(Debug)]
struct WithoutAccountHost(DefaultResolver);

impl ResolveEndpoint for WithoutAccountHost {
    fn resolve_endpoint<'a>(&'a self, params: &'a Params) -> EndpointFuture<'a> {
        let plain = Params::builder()
            .set_region(params.region().map(str::to_owned))
            .set_use_fips(params.use_fips())
            .set_use_dual_stack(params.use_dual_stack())
            .set_endpoint(params.endpoint().map(str::to_owned))
            .build();
        match plain {
            Ok(plain) => {
                EndpointFuture::new(Box::pin(
                    async move { self.0.resolve_endpoint(&plain).await },
                ))
            }
            Err(err) => EndpointFuture::ready(Err(err.into())),
        }
    }
}

/// The builder's endpoint resolution for `config`: the SDK's own, or without the account
/// host prefix when the endpoint is overridden.
pub(super) fn configure(
    builder: aws_sdk_s3control::config::Builder,
    config: &aws_config::SdkConfig,
) -> aws_sdk_s3control::config::Builder {
    if config.endpoint_url().is_some() {
        builder.endpoint_resolver(WithoutAccountHost(DefaultResolver::new()))
    } else {
        builder
    }
}
