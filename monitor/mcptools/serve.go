package mcptools

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/resilience-go/resilience/monitor/internal/bearer"
)

// ServeStdio serves s over standard input and output until the client disconnects or ctx
// is done. Nothing else may write to standard output meanwhile: log to standard error.
func ServeStdio(ctx context.Context, s *mcp.Server) error {
	return s.Run(ctx, &mcp.StdioTransport{})
}

// DefaultAddr is the address NewHTTPServer listens on when HTTPConfig.Addr is empty.
const DefaultAddr = "127.0.0.1:8765"

// DefaultPath is the URL path of the MCP endpoint when HTTPConfig.Path is empty.
const DefaultPath = "/mcp"

// ErrTokenRequired is the error of NewHTTPServer told to listen on an address that is not
// loopback without a token.
var ErrTokenRequired = errors.New("a bearer token is required to listen on an address that is not loopback")

// HTTPConfig configures [NewHTTPServer]. The zero value listens on 127.0.0.1:8765 at /mcp
// without authentication.
type HTTPConfig struct {
	// Addr is the TCP address to listen on. If empty, DefaultAddr. An address without a host
	// (":8765") listens on 127.0.0.1, not on every interface: to listen beyond this machine,
	// name the host ("0.0.0.0:8765", "[::]:8765" or an interface's address) and set Token.
	Addr string
	// Token, when set, is required from every client as "Authorization: Bearer <Token>";
	// at least 16 characters of letters, digits and -._~+/=. Required when Addr is not
	// loopback.
	Token string
	// Path is where the MCP endpoint is served. If empty, DefaultPath.
	Path string
	// Logger receives the server's errors. If nil, slog.Default().
	Logger *slog.Logger
}

// HTTPServer serves one MCP server over streamable HTTP. Make it with [NewHTTPServer].
type HTTPServer struct {
	ln   net.Listener
	srv  *http.Server
	path string
}

// NewHTTPServer checks cfg and starts listening (so the address is taken, and a busy port
// reported, before Serve). It refuses, with an error matching ErrTokenRequired, to listen
// on an address that is not loopback without a token.
func NewHTTPServer(s *mcp.Server, cfg HTTPConfig) (*HTTPServer, error) {
	addr, err := resolveAddr(cfg.Addr)
	if err != nil {
		return nil, err
	}
	path := cfg.Path
	if path == "" {
		path = DefaultPath
	}
	if !strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("mcptools: HTTPConfig.Path %q must start with /", path)
	}
	if cfg.Token == "" && !loopbackHost(addr) {
		return nil, fmt.Errorf("mcptools: HTTPConfig.Addr %q: %w (set HTTPConfig.Token, or listen on 127.0.0.1)", cfg.Addr, ErrTokenRequired)
	}
	h, err := Handler(s, cfg.Token)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("mcptools: listen on %q: %w", addr, err)
	}
	// A host name may resolve beyond loopback: judge by where the socket really is.
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok && cfg.Token == "" && !tcp.IP.IsLoopback() {
		ln.Close()
		return nil, fmt.Errorf("mcptools: HTTPConfig.Addr %q listens on %s: %w", cfg.Addr, tcp.IP, ErrTokenRequired)
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	mux := http.NewServeMux()
	mux.Handle(path, h)
	return &HTTPServer{
		ln:   ln,
		path: path,
		srv: &http.Server{
			Handler:           mux,
			ReadHeaderTimeout: 10 * time.Second,
			ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelError),
		},
	}, nil
}

// resolveAddr applies the defaults: empty means DefaultAddr, an empty host means 127.0.0.1.
func resolveAddr(addr string) (string, error) {
	if addr == "" {
		return DefaultAddr, nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("mcptools: HTTPConfig.Addr %q: %w", addr, err)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), nil
}

// loopbackHost reports whether addr's host is certainly loopback: "localhost" or a loopback
// IP. Anything else (0.0.0.0, a host name) is not.
func loopbackHost(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Addr returns the address the server listens on (with the port chosen for ":0").
func (h *HTTPServer) Addr() net.Addr { return h.ln.Addr() }

// URL returns the MCP endpoint's URL, for clients.
func (h *HTTPServer) URL() string { return "http://" + h.ln.Addr().String() + h.path }

// Serve serves until ctx is done, then shuts down, giving open requests up to 5 seconds.
// It returns nil after a shutdown caused by ctx, else the error that stopped it.
func (h *HTTPServer) Serve(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- h.srv.Serve(h.ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("mcptools: serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	err := h.srv.Shutdown(sctx)
	if err != nil {
		err = errors.Join(fmt.Errorf("mcptools: shutdown: %w", err), h.srv.Close())
	}
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return err
}

// Handler returns the streamable HTTP handler of s, for mounting on your own mux. If token
// is not empty, every request must carry "Authorization: Bearer <token>" (compared in
// constant time); if it is empty there is no authentication, and keeping the handler on
// loopback is up to you. An unusable token is an error naming the problem, never the token.
func Handler(s *mcp.Server, token string) (http.Handler, error) {
	h := http.Handler(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s }, nil))
	if token == "" {
		return h, nil
	}
	if err := bearer.Validate("mcptools: token", token); err != nil {
		return nil, err
	}
	return bearer.New(token).Middleware(h), nil
}
