module github.com/resilience-go/resilience

go 1.26
