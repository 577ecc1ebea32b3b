package mcptools_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/resilience-go/resilience/monitor/mcptools"
)

// stdioEnv, when set in the environment, makes the test binary an MCP stdio server (see
// TestStdioSubprocess) instead of running tests. Its value is "allow-reset" or "read-only".
const stdioEnv = "MCPTOOLS_TEST_STDIO_SERVER"

func TestMain(m *testing.M) {
	if mode := os.Getenv(stdioEnv); mode != "" {
		os.Exit(stdioServer(mode))
	}
	goleak.VerifyTestMain(m)
}

func stdioServer(mode string) int {
	mon := newFixture()
	s := mcptools.NewServer(nil, mon, mcptools.Options{AllowReset: mode == "allow-reset", Logger: slog.New(slog.DiscardHandler)})
	if err := mcptools.ServeStdio(context.Background(), s); err != nil {
		fmt.Fprintln(os.Stderr, "stdio server:", err)
		return 1
	}
	return 0
}
