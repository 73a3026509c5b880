#!/usr/bin/env bash
# Proves the Dockerfile on a fresh Debian 12 system without a container
# engine. It reads the Dockerfile's instructions and replays them:
#
#   1. debootstraps a clean Debian 12 (bookworm, minbase: the package set of
#      debian:12-slim) root for each stage, with the image's apt sources;
#   2. build stage: copies the source tree (`git archive HEAD`, what a clean
#      clone would give) as COPY does and runs every RUN in the chroot with
#      the stage's WORKDIR and ENV: install-deps.sh, build.sh, the model step;
#   3. runtime stage: its RUN (runtime libraries, the non-root user) and the
#      COPY --from=build of the binaries and the model;
#   4. starts the ENTRYPOINT in the runtime root as the image's USER with the
#      image's ENV, runs the HEALTHCHECK command there until it passes, sends
#      one translation with tserve-client, then SIGTERM (exit status 0 wanted).
#
# The chroots share the host's network, so step 4 moves the two ports to free
# ones through TSERVE_GRPC_PORT and TSERVE_METRICS_PORT; the HEALTHCHECK
# follows them, as it does in a container whose ports are changed.
#
# Usage (as root; needs a Debian mirror and about 6 GB in the work folder):
#   scripts/debootstrap-check.sh [--keep] [--worktree] [WORK_DIR]
#     WORK_DIR    where the roots are made (default /var/tmp/tserve-debootstrap)
#     --keep      leave the roots in place afterwards (default: removed)
#     --worktree  use the working tree's files (tracked and untracked, not
#                 ignored) instead of HEAD
#   TSERVE_DEBIAN_MIRROR overrides http://deb.debian.org/debian.
#
# It is CPU heavy (a full release build); on a shared machine run it with
# `nice -n 10`. Not run in CI. Recorded run, of commit c16533f, with
# `nice -n 10` on 2 cores shared with other builds (load average 6-7):
# PASSED in 25 min 48 s wall time -- debootstrap 3 min 14 s, install-deps.sh
# in the build root 5 min 30 s, build.sh release 15 min 39 s, runtime stage
# 14 s, start to SERVING under 4 s; build root 3.6 GB, runtime root 365 MB.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

keep=0
context_from=head
work=/var/tmp/tserve-debootstrap
for arg in "$@"; do
  case "${arg}" in
    --keep) keep=1 ;;
    --worktree) context_from=worktree ;;
    -*) echo "debootstrap-check: unknown option ${arg}" >&2; exit 2 ;;
    *) work=${arg} ;;
  esac
done
mirror=${TSERVE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
docker_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

if [[ $(id -u) -ne 0 ]]; then
  echo "debootstrap-check: run as root (debootstrap, mount and chroot need it)" >&2
  exit 2
fi

started=${SECONDS}
step_started=${SECONDS}
step() {
  echo "==> [$((SECONDS - started)) s total, previous step $((SECONDS - step_started)) s] $*"
  step_started=${SECONDS}
}
die() {
  echo "debootstrap-check: FAILED: $*" >&2
  exit 1
}

# --- mounts, undone on any exit --------------------------------------------

mounted=()
server_pid=""
cleanup() {
  if [[ -n "${server_pid}" ]] && kill -0 "${server_pid}" 2>/dev/null; then
    kill -KILL "${server_pid}" 2>/dev/null || true
  fi
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount -R "${mounted[i]}" 2>/dev/null || umount -lR "${mounted[i]}" 2>/dev/null || true
  done
  # Never remove a folder that still has something mounted inside it.
  if ((keep == 0)) && [[ -d "${work}" ]] && ! grep -qF " ${work}/" /proc/mounts; then
    rm -rf "${work}"
  fi
}
trap cleanup EXIT

# /proc, /sys and /dev as a container has them. /dev is a recursive bind made
# a slave, so that unmounting it here never unmounts anything of the host's.
mount_system() {
  local root=$1
  mount -t proc proc "${root}/proc" && mounted+=("${root}/proc")
  mount -t sysfs -o ro sysfs "${root}/sys" && mounted+=("${root}/sys")
  mount --rbind /dev "${root}/dev" && mount --make-rslave "${root}/dev" && mounted+=("${root}/dev")
}

# --- the Dockerfile, one instruction per line --------------------------------

# Drops comment lines (Docker drops them inside continuations too) and joins
# continuation lines.
instructions() {
  sed -e '/^[[:space:]]*#/d' -e '/^[[:space:]]*$/d' Dockerfile |
    sed -e ':join' -e '/\\$/{N;s/\\\n/ /;b join' -e '}'
}

# --- a clean Debian 12 root --------------------------------------------------

if ! command -v debootstrap >/dev/null; then
  step "installing debootstrap on the host"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap
fi

rm -rf "${work}"
mkdir -p "${work}"
base=${work}/base
step "debootstrap bookworm (minbase) from ${mirror} into ${base}"
debootstrap --variant=minbase bookworm "${base}" "${mirror}" >"${work}/debootstrap.log" 2>&1 ||
  { tail -n 30 "${work}/debootstrap.log"; die "debootstrap"; }
# The apt sources of the debian:12 images (security and point-release updates).
rm -f "${base}/etc/apt/sources.list"
cat >"${base}/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: ${mirror}
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
# A container has no init system: no package may start a service (Debian's
# prometheus package ships one).
printf '#!/bin/sh\nexit 101\n' >"${base}/usr/sbin/policy-rc.d"
chmod 755 "${base}/usr/sbin/policy-rc.d"

# The build context: what a clean clone holds.
context=${work}/context
mkdir -p "${context}"
step "build context from ${context_from}"
if [[ "${context_from}" == head ]]; then
  git -C "${repo}" archive --format=tar HEAD | tar -x -C "${context}"
else
  git -C "${repo}" ls-files -z --cached --others --exclude-standard |
    (cd "${repo}" && xargs -0 tar -c --ignore-failed-read) | tar -x -C "${context}"
fi

# --- replay --------------------------------------------------------------------

declare -A stage_root
stage=""
root=""
workdir=/
user=root
env_vars=()
healthcheck=""
entrypoint=()
exposed=()

# Runs a shell command in the current stage's root as Docker's RUN does.
run_in_stage() {
  local command=$1 home=/root
  [[ "${user}" == root || "${user}" == 0* ]] || home=/nonexistent
  chroot --userspec="${user}" "${root}" /usr/bin/env -i "PATH=${docker_path}" "HOME=${home}" \
    "${env_vars[@]}" /bin/sh -c "cd '${workdir}' && ${command}"
}

# COPY [--from=STAGE] [--chown=...] SRC... DEST, with Docker's rules: a
# directory's contents are copied, DEST is relative to WORKDIR.
copy_in_stage() {
  local from_root=${context} args=()
  for word in "$@"; do
    case "${word}" in
      --from=*) from_root=${stage_root[${word#--from=}]:?"COPY from unknown stage ${word}"} ;;
      --chown=*) die "COPY --chown is not replayed; add it here when the Dockerfile uses it" ;;
      --*) die "unknown COPY option ${word}" ;;
      *) args+=("${word}") ;;
    esac
  done
  local dest=${args[-1]}
  unset 'args[-1]'
  [[ "${dest}" == /* ]] || dest=${workdir%/}/${dest}
  local src
  for src in "${args[@]}"; do
    local from=${from_root}/${src#/}
    if [[ -d "${from}" ]]; then
      mkdir -p "${root}${dest}"
      cp -a "${from}/." "${root}${dest}/"
    elif [[ "${dest}" == */ ]]; then
      mkdir -p "${root}${dest}"
      cp -a "${from}" "${root}${dest}"
    else
      mkdir -p "$(dirname "${root}${dest}")"
      cp -a "${from}" "${root}${dest}"
    fi
  done
}

while IFS= read -r line; do
  keyword=${line%% *}
  rest=${line#* }
  case "${keyword^^}" in
    FROM)
      read -r image as_word name <<<"${rest}"
      [[ "${image}" == debian:12* || "${image}" == debian:bookworm* ]] ||
        die "stage base ${image} is not Debian 12"
      [[ "${as_word^^}" == AS && -n "${name}" ]] || die "FROM without a stage name: ${line}"
      stage=${name}
      root=${work}/${stage}
      step "stage ${stage}: fresh copy of the Debian 12 root (FROM ${image})"
      cp -a "${base}" "${root}"
      cp /etc/resolv.conf "${root}/etc/resolv.conf"
      mount_system "${root}"
      stage_root[${stage}]=${root}
      workdir=/
      user=root
      env_vars=()
      ;;
    WORKDIR)
      workdir=${rest}
      mkdir -p "${root}${workdir}"
      ;;
    COPY)
      step "stage ${stage}: COPY ${rest}"
      read -r -a words <<<"${rest}"
      copy_in_stage "${words[@]}"
      ;;
    RUN)
      step "stage ${stage}: RUN ${rest:0:100}..."
      run_in_stage "${rest}" || die "RUN in stage ${stage}: ${rest}"
      ;;
    ENV)
      read -r -a words <<<"${rest}"
      for word in "${words[@]}"; do
        [[ "${word}" == *=* ]] || die "ENV needs NAME=value pairs: ${line}"
        env_vars+=("${word}")
      done
      ;;
    USER) user=${rest} ;;
    EXPOSE) read -r -a exposed <<<"${rest}" ;;
    HEALTHCHECK) healthcheck=${rest#*CMD } ;;
    ENTRYPOINT)
      # The exec form: ["program", "arg", ...]
      read -r -a entrypoint <<<"$(tr -d '[],"' <<<"${rest}")"
      ;;
    LABEL | STOPSIGNAL) ;;
    *) die "instruction ${keyword} is not replayed by this script" ;;
  esac
done < <(instructions)

[[ -n "${healthcheck}" && ${#entrypoint[@]} -gt 0 ]] || die "no HEALTHCHECK or ENTRYPOINT"
echo "runtime stage: EXPOSE ${exposed[*]}, USER ${user}, ENV ${env_vars[*]}"
echo "runtime root: $(du -shx "${root}" | cut -f1)" \
  "(build root: $(du -shx "${stage_root[build]}" 2>/dev/null | cut -f1))"

# --- run the image -------------------------------------------------------------

free_port() {
  local port
  while true; do
    port=$((20000 + RANDOM % 30000))
    if ! (echo >"/dev/tcp/127.0.0.1/${port}") 2>/dev/null; then
      echo "${port}"
      return
    fi
  done
}
grpc_port=$(free_port)
metrics_port=$(free_port)
while [[ "${metrics_port}" == "${grpc_port}" ]]; do metrics_port=$(free_port); done
env_vars+=("TSERVE_GRPC_PORT=${grpc_port}" "TSERVE_METRICS_PORT=${metrics_port}")

step "runtime: ${entrypoint[*]} as user ${user} (gRPC ${grpc_port}, metrics ${metrics_port})"
chroot --userspec="${user}" "${root}" /usr/bin/env -i "PATH=${docker_path}" HOME=/nonexistent \
  "${env_vars[@]}" /bin/sh -c "cd '${workdir}' && exec ${entrypoint[*]}" \
  >"${work}/server.log" 2>&1 &
server_pid=$!

healthy=0
for attempt in $(seq 1 60); do
  if ! kill -0 "${server_pid}" 2>/dev/null; then
    cat "${work}/server.log"
    die "the server exited during start-up"
  fi
  if output=$(run_in_stage "${healthcheck}" 2>&1); then
    echo "HEALTHCHECK passed on attempt ${attempt}: ${output}"
    healthy=1
    break
  fi
  sleep 2
done
((healthy == 1)) || { cat "${work}/server.log"; die "HEALTHCHECK never passed: ${output}"; }

translation=$(run_in_stage "tserve-client translate --address=127.0.0.1:${grpc_port} 'Hello world.'") ||
  die "translate"
echo "translate 'Hello world.' -> ${translation}"
metrics=$(run_in_stage "tserve-client info --address=127.0.0.1:${grpc_port}") || die "info"
echo "info: ${metrics:0:300}"

kill -TERM "${server_pid}"
status=0
wait "${server_pid}" || status=$?
server_pid=""
echo "server log:"
sed 's/^/  /' "${work}/server.log"
((status == 0)) || die "the server exited with status ${status} after SIGTERM"

step "PASSED: the Dockerfile's stages built on a fresh Debian 12 and the image is healthy"
