#!/usr/bin/env bash
# Runs the circuit breaker's tests (with the race detector) and its runnable examples.
set -euo pipefail
cd "$(dirname "$0")/.."
go test -race -count=1 ./breaker/... "$@"
go test -count=1 -run '^Example' -v ./breaker/ | grep -E '^(=== RUN|--- |PASS|FAIL|ok)' 
