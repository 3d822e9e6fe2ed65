# Output and waiting helpers of the demo scripts (sourced).

bold() { printf '\033[1m%s\033[0m\n' "$*"; }
step() { printf '\n'; bold "==> $*"; }
say() { printf '    %s\n' "$*"; }
run() { printf '    $ %s\n' "$*"; "$@" 2>&1 | sed 's/^/      /'; }
failures=0
check() {  # description command...
  local what=$1
  shift
  if "$@" >/dev/null 2>&1; then say "ok: $what"; else say "FAILED: $what"; failures=$((failures + 1)); fi
}
wait_until() {  # seconds command...
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.5
  done
}
# True when a numeric status field of a SecurityPolicy has reached a value.
status_at_least() {  # policy jsonpath minimum
  [ "$(kubectl get securitypolicy "$1" -o jsonpath="{$2}")" -ge "$3" ]
}
# Runs a command that admission must refuse: shows the refusal, or counts a failure.
expect_denied() {  # what command...
  local what=$1 out
  shift
  if out=$("$@" 2>&1); then
    say "FAILED: $what was admitted"
    failures=$((failures + 1))
  else
    printf '%s\n' "$out" | fold -s -w 100 | sed 's/^/      /'
    say "ok: denied"
  fi
}
# Prints the closing line and exits 0 when every step did what it shows, 1 otherwise.
finish() {
  echo
  if [ "$failures" -eq 0 ]; then
    bold "demo: every step did what it shows"
    exit 0
  fi
  bold "demo: $failures step(s) did not do what they show; see the logs above"
  exit 1
}
