#!/usr/bin/env bash
# The whole test suite: installs the dependencies, then builds and runs ctest
# for the release preset, the ASan+UBSan preset (asan) and the
# ThreadSanitizer preset (tsan, tests labelled `tsan` only). Prints each
# ctest summary and exits non-zero when any build or test failed.
#
# The tsan test preset runs OpenMP with one thread: GCC's libgomp is not built
# for ThreadSanitizer, so its internal synchronisation would be reported as
# races; the threads under test are the server's own.
#
# TSERVE_JOBS sets the build parallelism (default: every core);
# TSERVE_TEST_PRESETS overrides the list of presets (e.g. "release").
set -uo pipefail
cd "$(dirname "$0")/.."

jobs="${TSERVE_JOBS:-$(nproc)}"
read -r -a presets <<<"${TSERVE_TEST_PRESETS:-release asan tsan}"
logs="build/test-logs"

./scripts/install-deps.sh || exit 1
mkdir -p "${logs}"

declare -A summary
failed=0
for preset in "${presets[@]}"; do
  echo "==> ${preset}: configure"
  if ! cmake --preset "${preset}" >"${logs}/${preset}-configure.log" 2>&1; then
    cat "${logs}/${preset}-configure.log"
    summary[${preset}]="configure FAILED"
    failed=1
    continue
  fi

  # Build what the preset's tests need. For tsan that is only the binaries of
  # the tests labelled `tsan` (and what they depend on), when there are any.
  targets=()
  if [[ "${preset}" == tsan ]]; then
    mapfile -t targets < <(ctest --preset tsan -N 2>/dev/null |
      sed -n 's/^ *Test *#[0-9]*: *\([^ ]*\).*/\1/p')
    if ((${#targets[@]} == 0)); then
      echo "==> tsan: no tests are labelled tsan; nothing to build or run"
      summary[${preset}]="no tests labelled tsan"
      continue
    fi
  fi

  echo "==> ${preset}: build (-j${jobs})"
  start=${SECONDS}
  build_args=(--build --preset "${preset}" -j "${jobs}")
  if ((${#targets[@]} > 0)); then build_args+=(--target "${targets[@]}"); fi
  if ! cmake "${build_args[@]}"; then
    summary[${preset}]="build FAILED"
    failed=1
    continue
  fi
  echo "==> ${preset}: built in $((SECONDS - start)) s"

  echo "==> ${preset}: test"
  start=${SECONDS}
  ctest --preset "${preset}" --output-on-failure -j2 2>&1 | tee "${logs}/${preset}-ctest.log"
  status=${PIPESTATUS[0]}
  result=$(grep -E '^[0-9]+% tests passed|^No tests were found' "${logs}/${preset}-ctest.log" |
    tail -n 1)
  summary[${preset}]="${result:-ctest exited with ${status}} ($((SECONDS - start)) s)"
  if ((status != 0)); then failed=1; fi
done

echo
echo "==> summary"
for preset in "${presets[@]}"; do
  printf '  %-8s %s\n' "${preset}" "${summary[${preset}]:-not run}"
done
exit "${failed}"
