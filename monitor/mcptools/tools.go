package mcptools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/resilience-go/resilience/monitor"
)

// Tool names.
const (
	ToolStatus  = "get_circuit_breaker_status"
	ToolReset   = "reset_circuit_breaker"
	ToolRetries = "get_retry_metrics"
)

// ErrResetDisabled is the error of reset_circuit_breaker on a server whose Options did not
// allow resets.
var ErrResetDisabled = errors.New("reset_circuit_breaker is disabled: this server was started without resets allowed (mcptools.Options.AllowReset)")

// Options configures [AddTools]. The zero value serves status read-only.
type Options struct {
	// AllowReset lets reset_circuit_breaker close a breaker. If false, the tool is listed
	// but every call is refused with ErrResetDisabled.
	AllowReset bool
	// Logger receives one record per reset and per refused reset. If nil, slog.Default().
	Logger *slog.Logger
}

// StatusInput is the input of get_circuit_breaker_status.
type StatusInput struct {
	Name string `json:"name,omitempty" jsonschema:"the name of one circuit breaker; omit for all of them"`
}

// StatusOutput is the structured output of get_circuit_breaker_status.
type StatusOutput struct {
	Breakers []monitor.BreakerStatus `json:"breakers" jsonschema:"the circuit breakers, sorted by name"`
}

// ResetInput is the input of reset_circuit_breaker.
type ResetInput struct {
	Name string `json:"name" jsonschema:"the name of the circuit breaker to close"`
}

// ResetOutput is the structured output of reset_circuit_breaker.
type ResetOutput struct {
	Breaker monitor.BreakerStatus `json:"breaker" jsonschema:"the circuit breaker after the reset"`
}

// RetryInput is the input of get_retry_metrics.
type RetryInput struct {
	Name string `json:"name,omitempty" jsonschema:"the name of one retry operation; omit for all of them"`
}

// RetryOutput is the structured output of get_retry_metrics.
type RetryOutput struct {
	Operations []monitor.RetryStatus `json:"operations" jsonschema:"the retry operations, sorted by name"`
}

// AddTools adds get_circuit_breaker_status, reset_circuit_breaker and get_retry_metrics,
// reading m, to s. A tool of the same name already on s is replaced. If m is nil,
// monitor.New(nil, nil): the default breaker registry and retry metrics.
func AddTools(s *mcp.Server, m *monitor.Monitor, opts Options) {
	if m == nil {
		m = monitor.New(nil, nil)
	}
	t := &tools{mon: m, opts: opts}
	f := false
	mcp.AddTool(s, &mcp.Tool{
		Name:        ToolStatus,
		Title:       "Circuit breaker status",
		Description: "State (closed, open, half_open), request counts, failure and slow-call rates, time of the last state change and seconds until the next probe of every circuit breaker, or of the one named.",
		Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true, OpenWorldHint: &f},
	}, t.status)
	mcp.AddTool(s, &mcp.Tool{
		Name:        ToolReset,
		Title:       "Reset a circuit breaker",
		Description: "Close the named circuit breaker so that calls go through again (its lifetime counts are kept). Refused unless the server allows resets.",
		Annotations: &mcp.ToolAnnotations{IdempotentHint: true, DestructiveHint: &f, OpenWorldHint: &f},
	}, t.reset)
	mcp.AddTool(s, &mcp.Tool{
		Name:        ToolRetries,
		Title:       "Retry metrics",
		Description: "Per retrying operation: calls, attempts, retries, successes after a retry, exhausted calls, retry success rate and average delay between attempts.",
		Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true, OpenWorldHint: &f},
	}, t.retries)
}

// NewServer returns a server named impl (if nil, "resilience") with the tools of
// [AddTools] on it.
func NewServer(impl *mcp.Implementation, m *monitor.Monitor, opts Options) *mcp.Server {
	if impl == nil {
		impl = &mcp.Implementation{Name: "resilience", Version: "0.1.0"}
	}
	s := mcp.NewServer(impl, nil)
	AddTools(s, m, opts)
	return s
}

type tools struct {
	mon  *monitor.Monitor
	opts Options
}

func (t *tools) logger() *slog.Logger {
	if t.opts.Logger != nil {
		return t.opts.Logger
	}
	return slog.Default()
}

func (t *tools) status(_ context.Context, _ *mcp.CallToolRequest, in StatusInput) (*mcp.CallToolResult, StatusOutput, error) {
	if in.Name == "" {
		return result(StatusOutput{Breakers: t.mon.Breakers()})
	}
	st, err := t.mon.Breaker(in.Name)
	if err != nil {
		return nil, StatusOutput{}, err
	}
	return result(StatusOutput{Breakers: []monitor.BreakerStatus{st}})
}

func (t *tools) reset(ctx context.Context, _ *mcp.CallToolRequest, in ResetInput) (*mcp.CallToolResult, ResetOutput, error) {
	log := t.logger().With(slog.String("breaker", in.Name), slog.String("via", "mcp"))
	if !t.opts.AllowReset {
		log.WarnContext(ctx, "circuit breaker reset refused", slog.String("reason", "reset disabled"))
		return nil, ResetOutput{}, ErrResetDisabled
	}
	if in.Name == "" {
		return nil, ResetOutput{}, errors.New(`reset_circuit_breaker: argument "name" is empty; give the name of a circuit breaker`)
	}
	st, err := t.mon.Reset(in.Name)
	if err != nil {
		return nil, ResetOutput{}, err
	}
	log.InfoContext(ctx, "circuit breaker reset")
	return result(ResetOutput{Breaker: st})
}

func (t *tools) retries(_ context.Context, _ *mcp.CallToolRequest, in RetryInput) (*mcp.CallToolResult, RetryOutput, error) {
	if in.Name == "" {
		return result(RetryOutput{Operations: t.mon.Retries()})
	}
	st, err := t.mon.Retry(in.Name)
	if err != nil {
		return nil, RetryOutput{}, err
	}
	return result(RetryOutput{Operations: []monitor.RetryStatus{st}})
}

// result returns out with a text content of its JSON in field order ("name" and "state"
// first), for clients that read text; left to itself the SDK would write the structured
// content's keys sorted alphabetically.
func result[Out any](out Out) (*mcp.CallToolResult, Out, error) {
	b, err := json.Marshal(out)
	if err != nil {
		var zero Out
		return nil, zero, fmt.Errorf("encoding result: %w", err)
	}
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: string(b)}}}, out, nil
}
