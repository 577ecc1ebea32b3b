module github.com/resilience-go/resilience/bench

go 1.26

require github.com/resilience-go/resilience v0.0.0

require (
	github.com/avast/retry-go/v4 v4.7.0 // indirect
	github.com/benbjohnson/clock v1.3.0 // indirect
	github.com/cenkalti/backoff/v3 v3.1.1 // indirect
	github.com/cenkalti/backoff/v5 v5.0.3 // indirect
	github.com/eapache/go-resiliency v1.7.0 // indirect
	github.com/facebookgo/clock v0.0.0-20150410010913-600d898af40a // indirect
	github.com/failsafe-go/failsafe-go v0.9.8 // indirect
	github.com/mercari/go-circuitbreaker v0.0.2 // indirect
	github.com/sony/gobreaker/v2 v2.4.0 // indirect
)

replace github.com/resilience-go/resilience => ../
