# tserve container image: build stage with the same scripts as the README,
# runtime stage with only the shared libraries the binaries load.
#
#   docker build -t tserve .
#   docker run -p 50051:50051 -p 9091:9091 tserve
#
# Configuration is by TSERVE_* environment variables (see README, "Server flags").

FROM debian:12 AS build
WORKDIR /src
COPY scripts/install-deps.sh scripts/install-deps.sh
RUN ./scripts/install-deps.sh && rm -rf /var/lib/apt/lists/*
COPY . .
RUN TSERVE_JOBS="$(nproc)" ./scripts/build.sh release \
 && mkdir -p /out/bin \
 && cp build/release/server/tserve-server build/release/client/tserve-client /out/bin/

FROM debian:12-slim AS runtime
# Runtime libraries only: gRPC/protobuf, oneDNN (+ OpenMP), sentencepiece,
# prometheus-cpp, Abseil.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libgrpc++1.51 libgrpc29 libprotobuf32 libdnnl2 libgomp1 libsentencepiece0 \
      libprometheus-cpp-core1.0 libprometheus-cpp-pull1.0 libabsl20220623 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /srv/tserve tserve
COPY --from=build /out/bin/ /usr/local/bin/
# The demo model when it has been built, else the small random test model.
COPY --chown=tserve models/ /srv/tserve/models/
COPY --chown=tserve tests/data/models/swish-untied-f16/ /srv/tserve/models/test/
USER tserve
WORKDIR /srv/tserve
ENV TSERVE_LISTEN_ADDRESS=0.0.0.0 \
    TSERVE_GRPC_PORT=50051 \
    TSERVE_METRICS_PORT=9091 \
    TSERVE_MODEL=test=/srv/tserve/models/test \
    OMP_WAIT_POLICY=passive
EXPOSE 50051 9091
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["tserve-client", "health", "--address=127.0.0.1:50051"]
ENTRYPOINT ["tserve-server"]
