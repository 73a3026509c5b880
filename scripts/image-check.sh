#!/usr/bin/env bash
# Builds the container image with a real container engine (Debian's podman)
# and checks it running, on a Debian 12 machine with no image registry.
#
#   scripts/image-check.sh [OPTIONS]            # the image, run on its own
#   scripts/image-check.sh --compose [OPTIONS]  # deploy/compose.yaml: tserve and Prometheus
#
# Image check: makes the base image when it is missing (a debootstrapped
# Debian 12 imported as debian:12-slim, what the Dockerfile's FROM names),
# builds the Dockerfile, prints the image's size, configuration and what takes
# its space, checks that it holds no build tools and that every shared library
# resolves, runs it with the compose file's TSERVE_* environment on free host
# ports, waits for the image's own HEALTHCHECK to pass, calls health, info,
# translate and encode with tserve-client, scrapes /metrics, checks that the
# server runs as uid 10001 and cannot write its model, then `podman stop`s it:
# exit status 0 within the drain timeout wanted.
#
# Compose check: also builds the Prometheus image (deploy/prometheus/,
# Debian's prometheus package), brings up the tserve and prometheus services
# of deploy/compose.yaml with podman-compose on free host ports, waits for
# health, sends a minute of mixed load, requires Prometheus to scrape
# `tserve:9091` and the Grafana dashboard's queries to return numbers, and
# stops tserve (exit status 0 wanted). Grafana is not started: it has no
# Debian package, and grafana/grafana cannot be pulled without a registry.
#
# Options:
#   --work-dir=DIR   base image root and tarball, build and server logs, the
#                    engine settings file (default /var/tmp/tserve-image)
#   --keep           keep the work folder's base root and, with --compose,
#                    leave the stack running (default: removed, stack down)
#   --mirror=URL     Debian mirror for the base image and its apt sources
#                    (default http://deb.debian.org/debian)
#   --security-mirror=URL   (default http://deb.debian.org/debian-security)
#   --rebuild-base   make the base image again even when debian:12-slim exists
#   --no-cache       build every layer again (the compiler cache stays)
#   --jobs=N         build parallelism inside the build (default: every core)
#   --image=NAME     image name for the image check (default tserve:latest,
#                    the name compose.yaml uses, which --compose requires)
#   --client=WHICH   `host` (build/release/client/tserve-client), `image`
#                    (the image's client through `podman exec`) or a path;
#                    default: the host's when it runs, else the image's
#   --compose        the compose check instead of the image check
#   -h, --help       this text
#
# Runs as root (debootstrap, rootful podman). Installs what it needs from
# Debian, idempotently: podman, runc, netavark, aardvark-dns, podman-compose,
# debootstrap, debuerreotype, python3-yaml. Engine settings (CONTAINERS_CONF,
# written to the work folder): no default ulimits (containers inherit the
# caller's, as some sandboxes cannot raise RLIMIT_NPROC), the runc runtime and
# the netavark network backend (compose service names resolve through
# aardvark-dns). Containers use the host network for the image check and a
# compose network for --compose.
#
# CPU heavy the first time (the build stage compiles the server; a compiler
# cache makes later builds incremental): on a shared machine run it as
# `nice -n 15 scripts/image-check.sh`. tests/deploy registers both checks as
# the ctests image_check and image_compose_check (label `image`), skipped
# unless TSERVE_IMAGE_TEST=1.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
repo=$(pwd)

work=/var/tmp/tserve-image
keep=0
mirror=http://deb.debian.org/debian
security_mirror=http://deb.debian.org/debian-security
rebuild_base=0
no_cache=0
jobs=""
image=tserve:latest
client_choice=auto
mode=image
for arg in "$@"; do
  case "${arg}" in
    --work-dir=*) work=${arg#*=} ;;
    --keep) keep=1 ;;
    --mirror=*) mirror=${arg#*=} ;;
    --security-mirror=*) security_mirror=${arg#*=} ;;
    --rebuild-base) rebuild_base=1 ;;
    --no-cache) no_cache=1 ;;
    --jobs=*) jobs=${arg#*=} ;;
    --image=*) image=${arg#*=} ;;
    --client=*) client_choice=${arg#*=} ;;
    --compose) mode=compose ;;
    -h | --help)
      sed -n '2,/^set -euo pipefail$/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
      exit 0
      ;;
    *) echo "image-check: unknown option ${arg} (see --help)" >&2; exit 2 ;;
  esac
done

base_image=docker.io/library/debian:12-slim
prometheus_image=localhost/tserve-prometheus:latest
drain_timeout_s=30

started=${SECONDS}
step() {
  echo "==> [$(elapsed $((SECONDS - started)))] $*"
}
elapsed() { printf '%d min %02d s' $(($1 / 60)) $(($1 % 60)); }
check() { echo "  ok: $*"; }
die() {
  echo "image-check: FAILED: $*" >&2
  exit 1
}

if [[ "${mode}" == compose && "${image}" != tserve:latest ]]; then
  echo "image-check: --compose builds tserve:latest, the image deploy/compose.yaml names" >&2
  exit 2
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "image-check: run as root (debootstrap and rootful podman need it)" >&2
  exit 2
fi

# --- host packages -------------------------------------------------------------

host_packages=(podman runc netavark aardvark-dns podman-compose debootstrap debuerreotype
               python3-yaml)
missing=()
for p in "${host_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} > 0)); then
  step "installing ${missing[*]} on the host"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    >/dev/null
fi

mkdir -p "${work}"
work=$(cd "${work}" && pwd)
export CONTAINERS_CONF=${work}/containers.conf
cat >"${CONTAINERS_CONF}" <<'EOF'
[containers]
default_ulimits = []

[engine]
runtime = "runc"

[network]
network_backend = "netavark"
EOF
# Keep the HEALTHCHECK: podman's default image format (OCI) has none.
export BUILDAH_FORMAT=docker

echo "image-check: $(podman --version), runc $(runc --version | sed -n 's/^runc version //p')," \
  "$(nproc) CPUs, work folder ${work}"

# --- the base image: debian:12-slim ----------------------------------------------

# A Debian 12 minbase root made the way Debian's official images are
# (debuerreotype's minimizing and slimming steps), with their apt sources,
# imported under the name the Dockerfile's FROM uses.
make_base_image() {
  local root=${work}/base-root scripts=/usr/share/debuerreotype/scripts t0=${SECONDS}
  rm -rf "${root}" "${work}/debian-12-slim.tar"
  step "base image: debootstrap --variant=minbase bookworm ${mirror}"
  debootstrap --variant=minbase bookworm "${root}" "${mirror}" >"${work}/debootstrap.log" 2>&1 ||
    { tail -n 30 "${work}/debootstrap.log"; die "debootstrap (log: ${work}/debootstrap.log)"; }
  local release_date
  release_date=$(sed -n 's/^Date: //p' "${root}"/var/lib/apt/lists/*_dists_bookworm_Release | head -n 1)
  date --date="${release_date}" +%s >"${root}/debuerreotype-epoch"
  "${scripts}/debuerreotype-minimizing-config" "${root}"
  rm -f "${root}/etc/apt/sources.list"
  cat >"${root}/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: ${mirror}
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${security_mirror}
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  step "base image: point-release and security updates, slimming"
  {
    "${scripts}/debuerreotype-apt-get" "${root}" update -qq &&
      "${scripts}/debuerreotype-recalculate-epoch" "${root}" &&
      "${scripts}/debuerreotype-apt-get" "${root}" dist-upgrade -yqq &&
      "${scripts}/debuerreotype-slimify" "${root}" &&
      "${scripts}/debuerreotype-tar" "${root}" "${work}/debian-12-slim.tar"
  } >>"${work}/debootstrap.log" 2>&1 ||
    { tail -n 30 "${work}/debootstrap.log"; die "base image (log: ${work}/debootstrap.log)"; }
  podman rmi --force "${base_image}" >/dev/null 2>&1 || true
  podman import --quiet \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' \
    "${work}/debian-12-slim.tar" "${base_image}" >/dev/null
  ((keep == 1)) || rm -rf "${root}"
  echo "  ${base_image}: $(image_size "${base_image}"), made in $(elapsed $((SECONDS - t0)))"
}

image_size() {
  podman image inspect --format '{{.Size}}' "$1" | awk '{ printf "%.1f MB", $1 / 1e6 }'
}

if ((rebuild_base == 1)) || ! podman image exists "${base_image}"; then
  make_base_image
else
  step "base image: ${base_image} present ($(image_size "${base_image}"), created" \
    "$(podman image inspect --format '{{.Created}}' "${base_image}" | cut -d. -f1));" \
    "--rebuild-base makes it again"
fi

# --- build ---------------------------------------------------------------------------

# Shows a podman build's progress: each step and the seconds since the build
# began, cache hits, and every 20th compile.
build_progress() {
  local t0=${SECONDS} line
  local step_re='^(\[[0-9]+/[0-9]+\] )?(STEP [0-9]+/[0-9]+: |COMMIT)' ninja_re='^\[([0-9]+)/([0-9]+)\] '
  while IFS= read -r line; do
    if [[ "${line}" =~ ${step_re} ]]; then
      printf '  [+%4d s] %s\n' $((SECONDS - t0)) "${line:0:100}"
    elif [[ "${line}" == "--> Using cache"* ]]; then
      echo "             (cached)"
    elif [[ "${line}" == "install-deps: "* || "${line}" == "build: preset"* ]]; then
      echo "             ${line:0:100}"
    elif [[ "${line}" =~ ${ninja_re} ]] &&
      ((BASH_REMATCH[1] % 20 == 0 || BASH_REMATCH[1] == BASH_REMATCH[2])); then
      printf '  [+%4d s]   %s\n' $((SECONDS - t0)) "${line:0:100}"
    fi
  done
}

build_image() {
  local name=$1 dir=$2 log=$3
  shift 3
  local args=(build --isolation=chroot --format docker --layers -t "${name}" -f "${dir}/Dockerfile")
  ((no_cache == 0)) || args+=(--no-cache)
  args+=("$@" "${dir}")
  local status previous
  previous=$(podman image inspect --format '{{.Id}}' "${name}" 2>/dev/null || true)
  set +e
  podman "${args[@]}" 2>&1 | tee "${log}" | build_progress
  status=${PIPESTATUS[0]}
  set -e
  if ((status != 0)); then
    tail -n 40 "${log}"
    die "podman build of ${name} (log: ${log})"
  fi
  # The image this build replaced, unless a container still uses it.
  if [[ -n "${previous}" && "${previous}" != "$(podman image inspect --format '{{.Id}}' "${name}")" ]]; then
    podman rmi "${previous}" >/dev/null 2>&1 || true
  fi
}

build_args=()
[[ -z "${jobs}" ]] || build_args+=(--build-arg "TSERVE_JOBS=${jobs}")
step "build: podman build ${image} from ${repo} (the context .dockerignore leaves)"
build_started=${SECONDS}
build_image "${image}" "${repo}" "${work}/build.log" "${build_args[@]}"
build_s=$((SECONDS - build_started))
echo "  built in $(elapsed "${build_s}"); image ${image}: $(image_size "${image}")"

# --- the image, inspected ----------------------------------------------------------------

step "image: configuration"
config_user=$(podman image inspect --format '{{.Config.User}}' "${image}")
config_entrypoint=$(podman image inspect --format '{{json .Config.Entrypoint}}' "${image}")
config_health=$(podman image inspect --format '{{json .Config.Healthcheck}}' "${image}")
config_ports=$(podman image inspect --format '{{range $p, $v := .Config.ExposedPorts}}{{$p}} {{end}}' "${image}")
echo "  User ${config_user}, Entrypoint ${config_entrypoint}, ExposedPorts ${config_ports}"
echo "  Healthcheck ${config_health}"
[[ "${config_user}" == 10001:10001 ]] || die "USER is ${config_user}, not 10001:10001"
[[ "${config_entrypoint}" == '["tserve-server"]' ]] || die "ENTRYPOINT is ${config_entrypoint}"
[[ "${config_health}" == *tserve-client\ health* ]] || die "the image has no HEALTHCHECK"
check "runs as 10001:10001, ENTRYPOINT tserve-server, HEALTHCHECK tserve-client health"

# A shell in a throw-away container of the image, as root (to read every
# folder), without the network or the health check.
in_image() {
  podman run --rm --network none --no-healthcheck --user 0 --entrypoint /bin/sh "${image}" -c "$1"
}

step "image: what takes the space"
echo "  layers (newest first):"
podman history --format '{{.Size}}\t{{.CreatedBy}}' "${image}" | grep -v '^0 B' |
  awk -F'\t' '{ printf "    %10s  %s\n", $1, substr($2, 1, 90) }'
echo "  packages the runtime stage adds to the base image (dpkg Installed-Size):"
podman run --rm --network none --no-healthcheck --entrypoint dpkg-query "${base_image}" \
  -W -f='${Package}\n' | sort >"${work}/base-packages.txt"
podman run --rm --network none --no-healthcheck --entrypoint dpkg-query "${image}" \
  -W -f='${Package}\t${Installed-Size}\n' | sort |
  join -t $'\t' -v 1 - "${work}/base-packages.txt" | sort -t $'\t' -k2 -rn |
  awk -F'\t' '{ total += $2; printf "    %7.1f MB  %s\n", $2 / 1024, $1 }
               END { printf "    %7.1f MB  in all\n", total / 1024 }'
in_image '
  echo "  largest files:"
  find / -xdev -type f -size +1M -exec du -k {} + 2>/dev/null | sort -rn | head -n 10 |
    awk "{ printf \"    %7.1f MB  %s\n\", \$1 / 1024, \$2 }"
  echo "  by directory:"
  du -sk /usr/lib/x86_64-linux-gnu /usr/local/bin /srv/tserve/models /usr/bin /usr/share \
    /var/lib/dpkg 2>/dev/null | sort -rn | awk "{ printf \"    %7.1f MB  %s\n\", \$1 / 1024, \$2 }"
  echo "  total (du -x /): $(du -sxk / | awk "{ printf \"%.1f MB\", \$1 / 1024 }")"
'

step "image: no build tools, every shared library found"
tools=$(in_image 'for t in gcc g++ cc c++ cpp ld as make cmake ninja ccache protoc strip; do
                    command -v "$t" || true; done')
[[ -z "${tools}" ]] || die "build tools in the image: ${tools}"
check "no compiler, assembler, linker, make, cmake, ninja, ccache, protoc or strip"
libraries=$(in_image 'ldd /usr/local/bin/tserve-server /usr/local/bin/tserve-client')
if grep -q "not found" <<<"${libraries}"; then
  die "unresolved shared libraries: $(grep "not found" <<<"${libraries}")"
fi
check "ldd resolves all $(grep -c '=>' <<<"${libraries}") libraries of tserve-server and tserve-client"
debug_sections=$(in_image 'grep -c "\.debug_info" /usr/local/bin/tserve-server || true')
((debug_sections == 0)) || die "tserve-server still has debug information"
check "binaries have no debug information ($(in_image 'du -k /usr/local/bin/tserve-server /usr/local/bin/tserve-client' |
  awk '{ printf "%s%s %.1f MB", (NR > 1 ? ", " : ""), $2, $1 / 1024 }'))"

# --- running it ----------------------------------------------------------------------------

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("", 0)); print(s.getsockname()[1])'
}

# The client: the host's build when it runs (and was not ruled out), else the
# image's own through podman exec in the container named by $1.
host_client=""
case "${client_choice}" in
  auto | host)
    candidate=${repo}/build/release/client/tserve-client
    if [[ -x "${candidate}" ]] && "${candidate}" --version >/dev/null 2>&1; then
      host_client=${candidate}
    elif [[ "${client_choice}" == host ]]; then
      die "--client=host: ${candidate} is not built or does not run"
    fi
    ;;
  image) ;;
  *)
    "${client_choice}" --version >/dev/null 2>&1 || die "--client=${client_choice}: does not run"
    host_client=${client_choice}
    ;;
esac
# tserve_client CONTAINER HOST_PORT CONTAINER_PORT ARGS...
tserve_client() {
  local container=$1 host_port=$2 container_port=$3
  shift 3
  if [[ -n "${host_client}" ]]; then
    "${host_client}" --address="127.0.0.1:${host_port}" "$@"
  else
    podman exec "${container}" tserve-client --address="127.0.0.1:${container_port}" "$@"
  fi
}
describe_client() {
  if [[ -n "${host_client}" ]]; then echo "the host's ${host_client}"; else
    echo "the image's tserve-client (podman exec)"; fi
}

# The tserve service's environment in deploy/compose.yaml.
compose_environment() {
  python3 - "${repo}/deploy/compose.yaml" <<'EOF'
import sys, yaml
with open(sys.argv[1]) as f:
    compose = yaml.safe_load(f)
for name, value in (compose["services"]["tserve"].get("environment") or {}).items():
    print(f"{name}={value}")
EOF
}

# wait_healthy CONTAINER: runs the image's HEALTHCHECK (`podman healthcheck
# run`, as the engine's timer would) until it passes; at most 120 s.
wait_healthy() {
  local container=$1 t0=${SECONDS} status
  while true; do
    if [[ "$(podman inspect --format '{{.State.Running}}' "${container}")" != true ]]; then
      podman logs "${container}" 2>&1 | tail -n 30
      die "${container} exited during start-up"
    fi
    status=$(podman healthcheck run "${container}" 2>/dev/null) && break
    ((SECONDS - t0 < 120)) || { podman logs "${container}" 2>&1 | tail -n 30;
      die "HEALTHCHECK still ${status:-failing} after 120 s"; }
    sleep 1
  done
  check "HEALTHCHECK (podman healthcheck run) passed $((SECONDS - t0)) s after start; state" \
    "$(podman inspect --format '{{.State.Health.Status}}' "${container}" 2>/dev/null ||
       podman inspect --format '{{.State.Healthcheck.Status}}' "${container}")"
}

# check_calls CONTAINER HOST_PORT CONTAINER_PORT
check_calls() {
  local container=$1 host_port=$2 container_port=$3 output
  output=$(tserve_client "$@" health) || die "health: ${output}"
  check "health: ${output}"
  output=$(tserve_client "$@" info) || die "info: ${output}"
  grep -q '"demo"' <<<"${output}" || die "info does not list the model demo: ${output}"
  check "info: model demo loaded ($(tr -d '\n ' <<<"${output}" | cut -c1-120)...)"
  output=$(tserve_client "$@" translate "The children played in the park." "The house is very big.") ||
    die "translate: ${output}"
  [[ $(grep -c . <<<"${output}") -eq 2 ]] || die "translate: two lines wanted, got: ${output}"
  check "translate: $(paste -sd'|' <<<"${output}" | sed 's/|/ | /')"
  output=$(tserve_client "$@" encode --pooling=mean --normalize "Embed me.") || die "encode: ${output}"
  python3 -c '
import json, math, sys
text = sys.stdin.read()
values = []
def walk(x):
    if isinstance(x, (int, float)) and not isinstance(x, bool): values.append(float(x))
    elif isinstance(x, dict): [walk(v) for v in x.values()]
    elif isinstance(x, list): [walk(v) for v in x]
walk(json.loads(text))
sys.exit(0 if len(values) > 8 and all(map(math.isfinite, values)) else 1)
' <<<"${output}" || die "encode: no vector of finite numbers: ${output:0:300}"
  check "encode: $(python3 -c 'import json,sys; d=json.load(sys.stdin); print(str(d)[:110])' <<<"${output}")..."
}

# check_metrics URL
check_metrics() {
  local metrics
  metrics=$(python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())' "$1") ||
    die "GET $1"
  local translated
  translated=$(grep -E '^tserve_requests_total\{.*rpc="Translate".*\}' <<<"${metrics}" |
    grep 'code="OK"' | grep 'model="demo"' | awk '{ s += $NF } END { print s + 0 }')
  ((translated >= 1)) || die "/metrics counts no OK Translate call of model demo"
  grep -q '^tserve_build_info{' <<<"${metrics}" || die "/metrics has no tserve_build_info"
  check "GET $1: $(grep -c '^tserve_' <<<"${metrics}") tserve_ samples;" \
    "tserve_requests_total{rpc=\"Translate\",model=\"demo\",code=\"OK\"} = ${translated};" \
    "$(grep '^tserve_build_info{' <<<"${metrics}" | head -n 1)"
}

# check_user CONTAINER
check_user() {
  local container=$1 pid uid
  pid=$(podman inspect --format '{{.State.Pid}}' "${container}")
  uid=$(awk '/^Uid:/ { print $2 }' "/proc/${pid}/status")
  [[ "${uid}" == 10001 ]] || die "the server runs as uid ${uid} (host pid ${pid}), not 10001"
  podman exec "${container}" sh -c 'test ! -w /srv/tserve/models/demo/model.safetensors &&
    test ! -w /srv/tserve/models/demo && test ! -w /usr/local/bin/tserve-server' ||
    die "the server's user can write its model or binaries"
  check "tserve-server (host pid ${pid}) runs as uid ${uid}:$(awk '/^Gid:/ { print $2 }' "/proc/${pid}/status");" \
    "$(podman exec "${container}" id); model and binaries read-only to it"
}

# check_stop CONTAINER: podman stop (SIGTERM); exit status 0 within the drain timeout.
check_stop() {
  local container=$1 t0=${SECONDS} code
  podman stop --time $((drain_timeout_s + 10)) "${container}" >/dev/null 2>>"${work}/podman.log"
  local took=$((SECONDS - t0))
  code=$(podman inspect --format '{{.State.ExitCode}}' "${container}")
  podman logs "${container}" >"${work}/${container}.log" 2>&1 || true
  echo "  server log (last lines):"
  tail -n 6 "${work}/${container}.log" | cut -c1-150 | sed 's/^/    /'
  [[ "${code}" == 0 ]] || die "exit status ${code} after podman stop (log: ${work}/${container}.log)"
  ((took <= drain_timeout_s)) || die "podman stop took ${took} s, more than the drain timeout"
  check "podman stop: exit status 0 after ${took} s (drain timeout ${drain_timeout_s} s)"
}

containers_to_remove=()
compose_down=()
cleanup() {
  local c
  for c in "${containers_to_remove[@]}"; do
    podman rm --force --time 1 "${c}" >/dev/null 2>&1 || true
  done
  if ((${#compose_down[@]} > 0)); then
    "${compose_down[@]}" >>"${work}/compose.log" 2>&1 || true
    podman network rm --force "${project}_default" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

if [[ "${mode}" == image ]]; then
  container=tserve-image-check
  podman rm --force --time 1 "${container}" >/dev/null 2>&1 || true
  grpc_port=$(free_port)
  metrics_port=$(free_port)
  env_args=()
  while IFS= read -r line; do
    case "${line}" in
      TSERVE_GRPC_PORT=*) env_args+=(-e "TSERVE_GRPC_PORT=${grpc_port}") ;;
      TSERVE_METRICS_PORT=*) env_args+=(-e "TSERVE_METRICS_PORT=${metrics_port}") ;;
      TSERVE_DRAIN_TIMEOUT_S=*) drain_timeout_s=${line#*=}; env_args+=(-e "${line}") ;;
      *) env_args+=(-e "${line}") ;;
    esac
  done < <(compose_environment)
  step "run: podman run --network host ${env_args[*]} ${image}"
  ((keep == 1)) || containers_to_remove+=("${container}")
  run_started=${SECONDS}
  podman run -d --name "${container}" --network host \
    --stop-timeout $((drain_timeout_s + 10)) "${env_args[@]}" "${image}" >/dev/null \
    2>>"${work}/podman.log" || die "podman run (log: ${work}/podman.log)"
  wait_healthy "${container}"
  startup_s=$((SECONDS - run_started))

  step "calls from $(describe_client)"
  check_calls "${container}" "${grpc_port}" "${grpc_port}"
  step "metrics, user, stop"
  check_metrics "http://127.0.0.1:${metrics_port}/metrics"
  check_user "${container}"
  stop_started=${SECONDS}
  check_stop "${container}"
  stop_s=$((SECONDS - stop_started))

  step "PASSED: ${image} $(image_size "${image}"), built in $(elapsed "${build_s}")," \
    "healthy $(elapsed "${startup_s}") after start, stopped in ${stop_s} s;" \
    "total $(elapsed $((SECONDS - started)))"
  exit 0
fi

# --- --compose -------------------------------------------------------------------------------

step "build: podman build ${prometheus_image} (deploy/prometheus, Debian's prometheus)"
prometheus_started=${SECONDS}
build_image "${prometheus_image}" "${repo}/deploy/prometheus" "${work}/build-prometheus.log"
echo "  built in $(elapsed $((SECONDS - prometheus_started))); ${prometheus_image}: $(image_size "${prometheus_image}")"

project=tserve-image-check
export GRPC_HOST_PORT METRICS_HOST_PORT PROMETHEUS_HOST_PORT
GRPC_HOST_PORT=$(free_port)
METRICS_HOST_PORT=$(free_port)
PROMETHEUS_HOST_PORT=$(free_port)
compose=(podman-compose --project-name "${project}" --file "${repo}/deploy/compose.yaml")
"${compose[@]}" down --volumes >"${work}/compose.log" 2>&1 || true
((keep == 1)) || compose_down=("${compose[@]}" down --volumes)
drain_timeout_s=$(compose_environment | sed -n 's/^TSERVE_DRAIN_TIMEOUT_S=//p')
step "compose: podman-compose up tserve prometheus (host ports: gRPC ${GRPC_HOST_PORT}," \
  "metrics ${METRICS_HOST_PORT}, Prometheus ${PROMETHEUS_HOST_PORT})"
echo "  grafana: not started here (no Debian package; grafana/grafana:10.4.2 needs a registry)"
"${compose[@]}" up --detach --no-build tserve prometheus >>"${work}/compose.log" 2>&1 ||
  { tail -n 30 "${work}/compose.log"; die "podman-compose up (log: ${work}/compose.log)"; }
tserve_container=$(podman ps --filter "label=io.podman.compose.project=${project}" \
  --filter "label=com.docker.compose.service=tserve" --format '{{.Names}}' | head -n 1)
prometheus_container=$(podman ps --filter "label=io.podman.compose.project=${project}" \
  --filter "label=com.docker.compose.service=prometheus" --format '{{.Names}}' | head -n 1)
[[ -n "${tserve_container}" && -n "${prometheus_container}" ]] ||
  { podman ps -a; tail -n 30 "${work}/compose.log"; die "the compose containers are not running"; }
echo "  containers: ${tserve_container}, ${prometheus_container}"
wait_healthy "${tserve_container}"

step "calls from $(describe_client) through the published port"
check_calls "${tserve_container}" "${GRPC_HOST_PORT}" 50051
check_metrics "http://127.0.0.1:${METRICS_HOST_PORT}/metrics"
check_user "${tserve_container}"

load_s=60
step "load: tserve-client bench for ${load_s} s (translate, stream, encode, greedy; some" \
  "cancelled or past a short deadline) while Prometheus scrapes"
printf '%s\n' "The children played in the park." "Hello world." "How are you today?" \
  "The weather is nice in the summer." "She reads a book every evening." >"${work}/texts.txt"
bench_args=(bench --concurrency=4 --duration_s="${load_s}" --mix=translate:6,stream:2,encode:2
            --beam_size=1 --cancel_fraction=0.05 --cancel_within_ms=50
            --short_deadline_fraction=0.05 --short_deadline_ms=5)
if [[ -n "${host_client}" ]]; then
  "${host_client}" --address="127.0.0.1:${GRPC_HOST_PORT}" "${bench_args[@]}" \
    --input="${work}/texts.txt" >"${work}/bench.txt" 2>&1 &
else
  podman cp "${work}/texts.txt" "${tserve_container}:/tmp/texts.txt"
  podman exec "${tserve_container}" tserve-client --address=127.0.0.1:50051 "${bench_args[@]}" \
    --input=/tmp/texts.txt >"${work}/bench.txt" 2>&1 &
fi
bench_pid=$!

# Prometheus' HTTP API: the scrape target, then every query of the Grafana
# dashboard with its variables filled in as Grafana would ($model: the served
# model; $__rate_interval: 1m, above four 5 s scrape intervals), once 30 s
# of load have been scraped. Every query must return a number, but for
# rejected sentences: only a full queue makes that series.
python3 - "http://127.0.0.1:${PROMETHEUS_HOST_PORT}" \
  "${repo}/deploy/grafana/dashboards/tserve.json" "${load_s}" <<'EOF' || die "Prometheus queries"
import json, math, re, sys, time, urllib.parse, urllib.request

prometheus, dashboard_path, load_s = sys.argv[1], sys.argv[2], int(sys.argv[3])
variables = {"model": "demo", "__rate_interval": "1m", "__interval": "5s", "__range": "1m"}

def query(expr):
    url = prometheus + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    with urllib.request.urlopen(url, timeout=10) as response:
        body = json.load(response)
    if body.get("status") != "success":
        raise RuntimeError(f"{expr}: {body}")
    return body["data"]["result"]

def numbers(result):
    return [float(s["value"][1]) for s in result if math.isfinite(float(s["value"][1]))]

def substitute(expr):
    def value(m):
        return variables[m.group(1) or m.group(2)]
    return re.sub(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)", value, expr)

deadline = time.time() + 120
while True:
    try:
        up = query('up{job="tserve"}')
        if up and up[0]["value"][1] == "1":
            break
    except OSError:
        up = None
    if time.time() > deadline:
        sys.exit(f"Prometheus never scraped tserve: {up}")
    time.sleep(2)
print(f"  ok: Prometheus scrapes job tserve, instance {up[0]['metric']['instance']}: up = 1")

with open(dashboard_path) as f:
    dashboard = json.load(f)
queries = []
def collect(panels):
    for panel in panels:
        for target in panel.get("targets", []):
            if "expr" in target:
                queries.append((panel["title"], target["expr"]))
        collect(panel.get("panels", []))
collect(dashboard["panels"])
for variable in dashboard["templating"]["list"]:
    if variable["type"] == "query":
        text = variable["query"]["query"] if isinstance(variable["query"], dict) else variable["query"]
        m = re.match(r"^\s*label_values\(\s*(.+)\s*,\s*(\w+)\s*\)\s*$", text)
        queries.append((f"variable {variable['name']}", f"group by ({m.group(2)}) ({m.group(1)})"))

optional = re.compile(r"rejected")
time.sleep(30)
deadline = time.time() + load_s + 60
while True:
    results = [query(substitute(expr)) for _, expr in queries]
    missing = [i for i, (_, expr) in enumerate(queries)
               if not numbers(results[i]) and not optional.search(expr)]
    if not missing or time.time() > deadline:
        break
    time.sleep(5)
for i, (title, expr) in enumerate(queries):
    values = numbers(results[i])
    shown = ", ".join(f"{v:.4g}" for v in values[:4]) or (
        "no data (allowed: no call was refused, the queue never filled)"
        if optional.search(expr) else "no data")
    mark = "FAILED" if i in missing else "ok"
    print(f"  {mark}: {title}: {substitute(expr)[:80]}... -> {shown}")
model_values = [s["metric"].get("model") for s in query("group by (model) (tserve_model_load_seconds)")]
print(f"  ok: the dashboard's model selector offers {model_values}")
if missing or model_values != ["demo"]:
    sys.exit(f"{len(missing)} dashboard queries returned no number")
print(f"  ok: {len(queries)} dashboard queries evaluated, "
      f"{sum(1 for r in results if numbers(r))} with numbers")
EOF

wait "${bench_pid}" || { cat "${work}/bench.txt"; die "tserve-client bench"; }
echo "  bench: $(grep -iE 'requests/s|failed' "${work}/bench.txt" | head -n 3 | paste -sd' ' | cut -c1-200)"

step "stop: podman stop ${tserve_container}"
check_stop "${tserve_container}"

if ((keep == 1)); then
  podman start "${tserve_container}" >/dev/null
  echo "  --keep: the stack stays up: Prometheus on http://127.0.0.1:${PROMETHEUS_HOST_PORT}," \
    "gRPC on 127.0.0.1:${GRPC_HOST_PORT}; stop it with:" \
    "GRPC_HOST_PORT=${GRPC_HOST_PORT} METRICS_HOST_PORT=${METRICS_HOST_PORT}" \
    "PROMETHEUS_HOST_PORT=${PROMETHEUS_HOST_PORT} ${compose[*]} down --volumes"
fi
step "PASSED: compose stack (tserve, prometheus) from ${image} and ${prometheus_image};" \
  "total $(elapsed $((SECONDS - started)))"
