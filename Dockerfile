# tserve container image: a build stage that runs the quick start's own
# scripts, and a runtime stage with only the shared libraries the two binaries
# load, the binaries and the demo model.
#
#   docker build -t tserve .
#   docker run --rm -p 50051:50051 -p 9091:9091 tserve
#   docker run --rm -e TSERVE_MAX_BATCH_SIZE=64 -e TSERVE_THREADS=4 ... tserve
#
# With podman, build with `--format docker` (the OCI format has no
# HEALTHCHECK). Configuration is by TSERVE_<FLAG> environment variables, one
# per server flag (README, "Server flags"); arguments after the image name are
# passed to tserve-server and win over the environment.
#
# scripts/image-check.sh builds this file with podman, runs the image and
# checks it (health, translation, metrics, user, drain); deploy/README.md
# describes how to build it on a machine without registry access.

FROM debian:12-slim AS build
WORKDIR /src
# Only the packages the serving build needs, first, so that a source change
# does not reinstall them. ccache keeps compiled objects in a build cache
# between image builds (BuildKit or podman; not part of the image).
COPY scripts/install-deps.sh scripts/install-deps.sh
RUN ./scripts/install-deps.sh --build-only \
 && apt-get install -y -qq --no-install-recommends ccache \
 && rm -rf /var/lib/apt/lists/*
COPY . .
# Build parallelism; empty: every core the build sees.
ARG TSERVE_JOBS=
# tserve-server and tserve-client only (not the tests), their debug
# information stripped (symbols stay, for stack traces). The build tree goes
# in the same step, so the stage keeps only the two binaries.
RUN --mount=type=cache,target=/root/.cache/ccache \
    TSERVE_JOBS="${TSERVE_JOBS:-$(nproc)}" ./scripts/build.sh --serving release \
 && mkdir -p /out \
 && strip --strip-debug -o /out/tserve-server build/release/server/tserve-server \
 && strip --strip-debug -o /out/tserve-client build/release/client/tserve-client \
 && rm -rf build

FROM debian:12-slim AS runtime
LABEL org.opencontainers.image.title="tserve" \
      org.opencontainers.image.description="gRPC inference server for MarianMT / OPUS-MT translation models"
# The runtime libraries of the two binaries; apt adds what they depend on
# (gRPC's c-ares, re2, OpenSSL and protoc library, oneDNN's OpenMP runtime and
# OpenCL loader, civetweb). gRPC's TLS roots come with libgrpc29
# (/usr/share/grpc/roots.pem), so no ca-certificates. A fixed numeric user,
# so that Kubernetes' runAsNonRoot can verify it.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libgrpc++1.51 libgrpc29 libprotobuf32 libabsl20220623 libdnnl2 libgomp1 \
      libprometheus-cpp-core1.0 libprometheus-cpp-pull1.0 \
 && rm -rf /var/lib/apt/lists/* /var/cache/debconf/*-old /var/lib/dpkg/*-old \
 && groupadd --system --gid 10001 tserve \
 && useradd --system --uid 10001 --gid 10001 --home-dir /srv/tserve --no-create-home tserve
COPY --from=build /out/ /usr/local/bin/
# The demo model (models/README.md), served as "demo"; owned by root and
# read-only to the server.
COPY models/en-es-demo/ /srv/tserve/models/demo/
USER 10001:10001
WORKDIR /srv/tserve
# Containers listen on every interface. Set TSERVE_THREADS to the CPUs the
# container may use (0 takes every core of the host). OpenMP threads sleep
# rather than spin between batches.
ENV TSERVE_LISTEN_ADDRESS=0.0.0.0 \
    TSERVE_GRPC_PORT=50051 \
    TSERVE_METRICS_PORT=9091 \
    TSERVE_MODEL=demo=/srv/tserve/models/demo \
    TSERVE_THREADS=0 \
    TSERVE_DRAIN_TIMEOUT_S=30 \
    OMP_WAIT_POLICY=passive
EXPOSE 50051 9091
# The server drains on SIGTERM for up to TSERVE_DRAIN_TIMEOUT_S; give
# `docker stop` a longer --time than that.
STOPSIGNAL SIGTERM
# The standard gRPC health service, through the image's own client. Shell form
# so that a changed TSERVE_GRPC_PORT is followed; any failure is "unhealthy"
# (exit 1). With TLS turned on, replace this check with one that passes
# --tls_ca (and --tls_cert/--tls_key for mutual TLS).
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD tserve-client health --address="127.0.0.1:${TSERVE_GRPC_PORT}" --timeout_s=2 || exit 1
ENTRYPOINT ["tserve-server"]
