# afu9ctl as an ECS service: a static-ish Rust binary on a distroless, non-root base.
# Runs with a read-only root filesystem: it writes nothing but stdout/stderr.

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY spec spec
COPY controller controller
COPY tests tests
RUN cargo build --release --locked -p afu9-controller --bin afu9ctl \
    && cp target/release/afu9ctl /afu9ctl

# distroless/cc: glibc, libgcc and CA certificates, no shell, no package manager.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /afu9ctl /usr/local/bin/afu9ctl
# The desired state is mounted here (a git-sync sidecar keeps it current).
WORKDIR /desired-state
# 65532 is distroless's `nonroot` user.
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/afu9ctl"]
# As an ECS service: reconcile continuously; health checks and Prometheus scrape port 8080.
# A non-loopback --listen needs a token: AFU9_STATUS_TOKEN, which the task definition fills
# from a Secrets Manager secret (deploy/afu9-posture.yaml: StatusTokenSecretArn); without it the
# controller refuses to start (`--insecure-listen` overrides, on purpose only).
CMD ["run", "-f", "/desired-state", "--listen", "0.0.0.0:8080", "--log-format", "json"]
