#!/usr/bin/env bash
# Builds the webhook's unit tests with AddressSanitizer and UBSan in their own build
# directory and runs them. Usage: webhook/test/sanitize.sh [ctest args...]
# Exit code: ctest's (0 when every test passed with no sanitizer report).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${CASTELLAN_SANITIZE_BUILD_DIR:-$root/build-webhook-asan}"

cmake -S "$root" -B "$build" -DCASTELLAN_SANITIZE=ON -DCASTELLAN_BUILD_BENCH=OFF \
  -DCASTELLAN_BUILD_SENSOR=OFF -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$build" -j"$(nproc)" --target \
  webhook_admission_review_test webhook_admission_handler_test webhook_webhook_service_test \
  webhook_server_test castellan_manager_options_test
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
exec ctest --test-dir "$build" -L unit -R '^(AdmissionReviewTest|AdmissionHandlerTest|WebhookServiceTest|ServerTest|ManagerOptionsTest)\.' \
  --output-on-failure "$@"
