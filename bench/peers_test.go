// Package bench compares resilience with its peers in one go test -bench run.
package bench

import (
	_ "github.com/avast/retry-go/v4"
	_ "github.com/cenkalti/backoff/v5"
	_ "github.com/eapache/go-resiliency/breaker"
	_ "github.com/eapache/go-resiliency/retrier"
	_ "github.com/failsafe-go/failsafe-go"
	_ "github.com/mercari/go-circuitbreaker"
	_ "github.com/sony/gobreaker/v2"
)
