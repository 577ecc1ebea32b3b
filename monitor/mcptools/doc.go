// Package mcptools serves circuit breaker and retry status to AI assistants over the Model
// Context Protocol, on the official Go SDK (github.com/modelcontextprotocol/go-sdk).
//
// [AddTools] adds three tools to a server you own, so your service's own tools sit beside
// them:
//
//	get_circuit_breaker_status  {"name"?: string}  -> {"breakers": [BreakerStatus...]}
//	reset_circuit_breaker       {"name": string}   -> {"breaker": BreakerStatus}   (only with Options.AllowReset)
//	get_retry_metrics           {"name"?: string}  -> {"operations": [RetryStatus...]}
//
// Results are structured content with a JSON schema (the field names of package monitor's
// JSON), plus the same JSON as text for clients that read text only. An unknown name, a
// refused reset or malformed arguments come back as a tool error whose text says what was
// wrong (and, for a name, which names exist).
//
//	s := mcp.NewServer(&mcp.Implementation{Name: "waveformd", Version: "1.0.0"}, nil)
//	mcptools.AddTools(s, monitor.New(reg, metrics), mcptools.Options{})
//	err := mcptools.ServeStdio(ctx, s)                       // for desktop MCP clients
//
//	srv, err := mcptools.NewHTTPServer(s, mcptools.HTTPConfig{}) // 127.0.0.1:8765/mcp
//	err = srv.Serve(ctx)
//
// Over HTTP the server listens on loopback unless told otherwise, and refuses to listen
// anywhere else without a bearer token (HTTPConfig.Token), which clients then send as
// "Authorization: Bearer <token>".
package mcptools
