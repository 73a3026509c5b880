# tserve container image: a build stage that runs the README's own scripts,
# and a runtime stage with only the shared libraries the binaries load, the
# binaries and the model.
#
#   docker build -t tserve .
#   docker run --rm -p 50051:50051 -p 9091:9091 tserve
#   docker run --rm -e TSERVE_MAX_BATCH_SIZE=64 -e TSERVE_THREADS=4 ... tserve
#
# Configuration is by TSERVE_<FLAG> environment variables, one per server flag
# (README, "Server flags"); arguments after the image name are passed to
# tserve-server and win over the environment.
#
# scripts/debootstrap-check.sh replays this file's instructions in chroots of
# a fresh Debian 12 (no container engine needed) and health-checks the result;
# keep to the instructions it understands (FROM ... AS, WORKDIR, COPY, RUN,
# ENV, USER, LABEL, EXPOSE, STOPSIGNAL, HEALTHCHECK, ENTRYPOINT).

FROM debian:12-slim AS build
WORKDIR /src
# Dependencies first, so that a source change does not reinstall them.
COPY scripts/install-deps.sh scripts/install-deps.sh
RUN ./scripts/install-deps.sh && rm -rf /var/lib/apt/lists/*
COPY . .
RUN TSERVE_JOBS="$(nproc)" ./scripts/build.sh release \
 && mkdir -p /out/bin \
 && cp build/release/server/tserve-server build/release/client/tserve-client /out/bin/
# The trained demo model when models/en-es-demo holds it; until then the small
# random test model, so the image still answers every RPC (its translations
# are noise), as scripts/serve.sh does. Either is served as model "demo".
RUN mkdir -p /out/model \
 && if [ -f models/en-es-demo/config.json ]; then \
      cp -r models/en-es-demo/. /out/model/; \
    else \
      echo "Dockerfile: models/en-es-demo is not built yet; baking in the random test model tests/data/models/swish-untied-f16 (its translations are noise)" >&2; \
      cp -r tests/data/models/swish-untied-f16/. /out/model/; \
    fi

FROM debian:12-slim AS runtime
LABEL org.opencontainers.image.title="tserve" \
      org.opencontainers.image.description="gRPC inference server for MarianMT / OPUS-MT translation models"
# Runtime libraries only (apt adds what they depend on: c-ares, re2, OpenSSL,
# civetweb, the OpenCL loader); tokenization is tserve's own, so no
# sentencepiece library. A fixed numeric user, so that Kubernetes'
# runAsNonRoot can verify it.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libgrpc++1.51 libgrpc29 libprotobuf32 libdnnl2 libgomp1 \
      libprometheus-cpp-core1.0 libprometheus-cpp-pull1.0 libabsl20220623 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 tserve \
 && useradd --system --uid 10001 --gid 10001 --home-dir /srv/tserve --no-create-home tserve
COPY --from=build /out/bin/ /usr/local/bin/
# Owned by root and read-only to the server.
COPY --from=build /out/model/ /srv/tserve/models/demo/
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
