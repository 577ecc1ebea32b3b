package mcptools_test

import (
	"context"
	"fmt"
	"log"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/resilience-go/resilience/breaker"
	"github.com/resilience-go/resilience/monitor"
	"github.com/resilience-go/resilience/monitor/mcptools"
	"github.com/resilience-go/resilience/retry"
)

func ExampleAddTools() {
	ctx := context.Background()
	reg := breaker.NewRegistry()
	b, _ := reg.Get("database-pool", breaker.Config{})
	b.ForceOpen()

	// The service's server, with its own tools and ours.
	s := mcp.NewServer(&mcp.Implementation{Name: "waveformd", Version: "1.0.0"}, nil)
	mcptools.AddTools(s, monitor.New(reg, retry.NewMetrics()), mcptools.Options{})

	// A client, here over the SDK's in-memory transport.
	ct, st := mcp.NewInMemoryTransports()
	ss, err := s.Connect(ctx, st, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer ss.Wait()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "client", Version: "1.0.0"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer cs.Close()

	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "get_circuit_breaker_status", Arguments: map[string]any{"name": "database-pool"}})
	if err != nil {
		log.Fatal(err)
	}
	out := res.StructuredContent.(map[string]any)["breakers"].([]any)[0].(map[string]any)
	fmt.Println(out["name"], out["state"])

	res, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "reset_circuit_breaker", Arguments: map[string]any{"name": "database-pool"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.IsError, res.Content[0].(*mcp.TextContent).Text)
	// Output:
	// database-pool open
	// true reset_circuit_breaker is disabled: this server was started without resets allowed (mcptools.Options.AllowReset)
}

func ExampleNewHTTPServer() {
	s := mcptools.NewServer(nil, monitor.New(breaker.NewRegistry(), retry.NewMetrics()), mcptools.Options{})

	// Listening beyond loopback without a token is refused.
	_, err := mcptools.NewHTTPServer(s, mcptools.HTTPConfig{Addr: "0.0.0.0:8765"})
	fmt.Println(err)

	srv, err := mcptools.NewHTTPServer(s, mcptools.HTTPConfig{Addr: "127.0.0.1:0"})
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // a real service serves until shutdown; here, stop at once
	fmt.Println(srv.Serve(ctx))
	// Output:
	// mcptools: HTTPConfig.Addr "0.0.0.0:8765": a bearer token is required to listen on an address that is not loopback (set HTTPConfig.Token, or listen on 127.0.0.1)
	// <nil>
}
