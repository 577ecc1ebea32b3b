package mcptools_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/resilience-go/resilience/monitor/mcptools"
)

// connectInMemory connects a client to a server with the tools, over the SDK's in-memory
// transport.
func connectInMemory(t *testing.T, opts mcptools.Options) *mcp.ClientSession {
	t.Helper()
	ctx := context.Background()
	s := mcp.NewServer(&mcp.Implementation{Name: "svc", Version: "v1"}, nil)
	// The service's own tool, beside ours.
	mcp.AddTool(s, &mcp.Tool{Name: "ping"}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, struct{}, error) {
		return nil, struct{}{}, nil
	})
	opts.Logger = slog.New(slog.DiscardHandler)
	mcptools.AddTools(s, newFixture(), opts)
	ct, st := mcp.NewInMemoryTransports()
	ss, err := s.Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "v1"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cs.Close()
		ss.Wait()
	})
	return cs
}

type call struct {
	name      string
	tool      string
	args      any
	wantError string // substring of the tool error text; "" for success
	wantJSON  string // substring of the structured content as JSON
}

var commonCalls = []call{
	{name: "all breakers", tool: mcptools.ToolStatus, args: map[string]any{}, wantJSON: `"breakers":[{"name":"db","state":"open"`},
	{name: "no arguments", tool: mcptools.ToolStatus, args: nil, wantJSON: `{"name":"gcs","state":"closed","total_requests":1`},
	{name: "one breaker", tool: mcptools.ToolStatus, args: map[string]any{"name": "gcs"}, wantJSON: `{"breakers":[{"name":"gcs","state":"closed"`},
	{name: "unknown breaker", tool: mcptools.ToolStatus, args: map[string]any{"name": "nope"}, wantError: `circuit breaker "nope" not found (known: db, gcs)`},
	{name: "name of wrong type", tool: mcptools.ToolStatus, args: map[string]any{"name": 42}, wantError: `validating "arguments"`},
	{name: "unknown argument", tool: mcptools.ToolStatus, args: map[string]any{"nmae": "db"}, wantError: `validating "arguments"`},
	{name: "retry metrics", tool: mcptools.ToolRetries, args: map[string]any{}, wantJSON: `{"operations":[{"name":"query","calls":1,"attempts":2,"retries":1,"successes_after_retry":1,"exhausted":0,"retry_success_rate":1`},
	{name: "one retry operation", tool: mcptools.ToolRetries, args: map[string]any{"name": "query"}, wantJSON: `"name":"query"`},
	{name: "unknown retry operation", tool: mcptools.ToolRetries, args: map[string]any{"name": "nope"}, wantError: `retry operation "nope" not found (known: query)`},
	{name: "reset without name", tool: mcptools.ToolReset, args: map[string]any{}, wantError: `validating "arguments"`},
}

var resetAllowedCalls = []call{
	{name: "reset", tool: mcptools.ToolReset, args: map[string]any{"name": "db"}, wantJSON: `{"breaker":{"name":"db","state":"closed","total_requests":1,"successful_requests":0,"failed_requests":1`},
	{name: "reset unknown", tool: mcptools.ToolReset, args: map[string]any{"name": "nope"}, wantError: `circuit breaker "nope" not found (known: db, gcs)`},
	{name: "reset empty name", tool: mcptools.ToolReset, args: map[string]any{"name": ""}, wantError: `argument "name" is empty`},
}

var resetRefusedCalls = []call{
	{name: "reset refused", tool: mcptools.ToolReset, args: map[string]any{"name": "db"}, wantError: "reset_circuit_breaker is disabled: this server was started without resets allowed"},
}

func runCalls(t *testing.T, cs *mcp.ClientSession, calls []call) {
	t.Helper()
	for _, tt := range calls {
		t.Run(tt.name, func(t *testing.T) {
			res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: tt.tool, Arguments: tt.args})
			if err != nil {
				t.Fatalf("CallTool(%s, %v) protocol error: %v", tt.tool, tt.args, err)
			}
			text := ""
			if len(res.Content) > 0 {
				if tc, ok := res.Content[0].(*mcp.TextContent); ok {
					text = tc.Text
				}
			}
			if tt.wantError != "" {
				if !res.IsError || !strings.Contains(text, tt.wantError) {
					t.Fatalf("CallTool(%s, %v) = IsError %v, %q; want an error containing %q", tt.tool, tt.args, res.IsError, text, tt.wantError)
				}
				return
			}
			if res.IsError {
				t.Fatalf("CallTool(%s, %v) = tool error %q", tt.tool, tt.args, text)
			}
			got := typed(t, tt.tool, res.StructuredContent)
			if !strings.Contains(string(got), tt.wantJSON) {
				t.Errorf("CallTool(%s, %v) structured content = %s, want it to contain %s", tt.tool, tt.args, got, tt.wantJSON)
			}
			if text != got {
				t.Errorf("text content %q differs from structured content %s", text, got)
			}
		})
	}
}

// typed decodes a tool's structured content into its Go output type and encodes it again,
// so that the JSON has the fields in the type's order (a client decodes into a map).
func typed(t *testing.T, tool string, content any) string {
	t.Helper()
	b, err := json.Marshal(content)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	switch tool {
	case mcptools.ToolStatus:
		v = new(mcptools.StatusOutput)
	case mcptools.ToolReset:
		v = new(mcptools.ResetOutput)
	case mcptools.ToolRetries:
		v = new(mcptools.RetryOutput)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("structured content of %s does not decode into its output type: %v\n%s", tool, err, b)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestToolsInMemory(t *testing.T) {
	t.Run("read-only", func(t *testing.T) {
		runCalls(t, connectInMemory(t, mcptools.Options{}), slices.Concat(commonCalls, resetRefusedCalls))
	})
	t.Run("allow-reset", func(t *testing.T) {
		runCalls(t, connectInMemory(t, mcptools.Options{AllowReset: true}), slices.Concat(commonCalls, resetAllowedCalls))
	})
}

func TestListTools(t *testing.T) {
	cs := connectInMemory(t, mcptools.Options{})
	res, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range res.Tools {
		names = append(names, tool.Name)
		if tool.Name == "ping" {
			continue
		}
		if tool.OutputSchema == nil {
			t.Errorf("tool %s has no output schema", tool.Name)
		}
		if tool.Description == "" {
			t.Errorf("tool %s has no description", tool.Name)
		}
	}
	slices.Sort(names)
	want := []string{mcptools.ToolStatus, mcptools.ToolRetries, "ping", mcptools.ToolReset}
	if !slices.Equal(names, want) {
		t.Errorf("tools = %v, want %v", names, want)
	}
}

func TestUnknownTool(t *testing.T) {
	cs := connectInMemory(t, mcptools.Options{})
	_, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "get_circuit_breaker_stats"})
	if err == nil || !strings.Contains(err.Error(), "get_circuit_breaker_stats") {
		t.Errorf("CallTool(unknown) = %v, want an error naming the tool", err)
	}
}

// TestStdioSubprocess drives a real MCP server process over stdio: this test binary,
// re-executed with stdioEnv set (see TestMain).
func TestStdioSubprocess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a subprocess")
	}
	for _, mode := range []string{"read-only", "allow-reset"} {
		t.Run(mode, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), stdioEnv+"="+mode)
			cmd.Stderr = os.Stderr
			cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "v1"}, nil).
				Connect(ctx, &mcp.CommandTransport{Command: cmd}, nil)
			if err != nil {
				t.Fatal(err)
			}
			calls := slices.Concat(commonCalls, resetRefusedCalls)
			if mode == "allow-reset" {
				calls = slices.Concat(commonCalls, resetAllowedCalls)
			}
			runCalls(t, cs, calls)
			if err := cs.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			if cmd.ProcessState == nil || !cmd.ProcessState.Success() {
				t.Errorf("server process ended with %v, want exit status 0", cmd.ProcessState)
			}
		})
	}
}
