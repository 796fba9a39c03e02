//! `UpdateWebACL` under WAF's optimistic lock. The call replaces the whole ACL, so what the
//! manifest does not manage (description, custom responses, CAPTCHA settings, token
//! domains, body-size limits) is copied from a read made when the call runs. The first try
//! carries the lock token the plan read: when the ACL changed since, WAF refuses it
//! (`WAFOptimisticLockException`) and the change is never overwritten blind: the ACL is read
//! again and re-planned — already as the manifest asks (done, nothing sent), or sent again
//! over the fresh read with its token — a few times at most.

use aws_sdk_wafv2::types::{Scope, WebAcl};

use super::rules::AclBody;
use super::sdk;
use crate::aws::{Aws, AwsError, ErrorClass, OpOutcome, WriteCall};

/// How many times a conflicting update is re-planned before the pass gives up (the next
/// pass plans again).
const ATTEMPTS: usize = 3;

/// WAF's answer to a stale lock token.
const LOCK_CONFLICT: &str = "WAFOptimisticLockException";

pub(super) async fn update(
    op: &(impl WriteCall + Sync),
    aws: &Aws,
    name: &str,
    id: &str,
    lock_token: &str,
    body: &AclBody,
) -> Result<OpOutcome, AwsError> {
    let (mut acl, _) = read(op, aws, name, id).await?;
    let mut token = lock_token.to_owned();
    for _ in 0..ATTEMPTS {
        match send(op, aws, &acl, body, &token).await {
            Err(err) if err.is_code(LOCK_CONFLICT) => {
                let (fresh, fresh_token) = read(op, aws, name, id).await?;
                let live = sdk::body(&fresh);
                tracing::info!(
                    web_acl = name,
                    "the web ACL changed since it was read; re-planned on a fresh read"
                );
                if live.default_action == body.default_action
                    && live.metrics == body.metrics
                    && live.same_rules(body)
                {
                    return Ok(OpOutcome::AlreadyDone(
                        "a change made since the plan already left the web ACL as the manifest \
                         asks"
                            .to_owned(),
                    ));
                }
                acl = fresh;
                token = fresh_token;
            }
            other => return other,
        }
    }
    Err(op.failure(
        ErrorClass::Transient,
        format!("the web ACL changed under each of {ATTEMPTS} updates; the next pass plans again"),
    ))
}

async fn read(
    op: &(impl WriteCall + Sync),
    aws: &Aws,
    name: &str,
    id: &str,
) -> Result<(WebAcl, String), AwsError> {
    let output = aws
        .wafv2()
        .get_web_acl()
        .name(name)
        .scope(Scope::Regional)
        .id(id)
        .send()
        .await
        .map_err(|err| AwsError::from_sdk(op.subject(), "GetWebACL", &err))?;
    let acl = output
        .web_acl
        .ok_or_else(|| op.failure(ErrorClass::Transient, "the web ACL is gone"))?;
    Ok((acl, output.lock_token.unwrap_or_default()))
}

async fn send(
    op: &(impl WriteCall + Sync),
    aws: &Aws,
    live: &WebAcl,
    body: &AclBody,
    token: &str,
) -> Result<OpOutcome, AwsError> {
    op.done(
        aws.wafv2()
            .update_web_acl()
            .name(&live.name)
            .scope(Scope::Regional)
            .id(&live.id)
            .lock_token(token)
            .default_action(sdk::default_action(body))
            .visibility_config(sdk::visibility(&live.name, body.metrics))
            .set_rules(Some(sdk::rules(body)))
            .set_description(live.description.clone())
            .set_custom_response_bodies(live.custom_response_bodies.clone())
            .set_captcha_config(live.captcha_config.clone())
            .set_challenge_config(live.challenge_config.clone())
            .set_token_domains(live.token_domains.clone())
            .set_association_config(live.association_config.clone())
            .set_data_protection_config(live.data_protection_config.clone())
            .send()
            .await,
    )
}
