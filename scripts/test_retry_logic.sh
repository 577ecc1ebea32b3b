#!/usr/bin/env bash
# Runs the retry package's tests (with the race detector) and its runnable examples.
set -euo pipefail
cd "$(dirname "$0")/.."
go test -race -count=1 ./retry/... "$@"
go test -count=1 -run '^Example' -v ./retry/ | grep -E '^(=== RUN|--- |PASS|FAIL|ok)'
