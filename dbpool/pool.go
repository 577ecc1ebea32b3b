package dbpool

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/resilience-go/resilience/breaker"
	"github.com/resilience-go/resilience/retry"
)

// DefaultBreakerName is the breaker's name when Config.Breaker.Name is empty.
const DefaultBreakerName = "database"

// Config configures a [Pool]. Its zero value works.
type Config struct {
	// Breaker configures the pool's circuit breaker. If Name is empty, "database". Zero fields
	// take the breaker's defaults (environment CIRCUIT_BREAKER_*, then 5 failures, 60s, 3, 30s).
	// The pool classifies errors itself (see the package documentation); IsFailure, when set,
	// can only narrow that: an error counts as a failure when both say so.
	Breaker breaker.Config

	// Registry is where the breaker is registered (get or create by name). If nil,
	// breaker.Default(). Pools that share a name in one registry share one breaker, so a
	// breaker created there earlier keeps its own Config.
	Registry *breaker.Registry

	// Retry says how often and how patiently to retry. If nil, retry.Database (3 attempts,
	// 100ms doubling up to 5s) named "dbpool.<breaker name>". Whatever it says, only errors
	// that are safe to retry are retried; RetryIf, when set, can only narrow that.
	// AttemptTimeout does not apply to Query (its rows outlive the attempt).
	Retry *retry.Config

	// MaxOpenConns caps the connections to the database. If zero, 10 for PostgreSQL and
	// 4 for SQLite (1 for an in-memory SQLite database, which exists once per connection).
	// Negative is invalid.
	MaxOpenConns int

	// MaxIdleConns is how many idle connections are kept. If zero, MaxOpenConns. Negative is
	// invalid.
	MaxIdleConns int

	// ConnMaxLifetime closes connections older than it. If zero, 30 minutes. Negative is invalid.
	ConnMaxLifetime time.Duration

	// ConnMaxIdleTime closes connections idle for longer than it. If zero, 5 minutes.
	// Negative is invalid.
	ConnMaxIdleTime time.Duration
}

// Pool is a database pool whose every connection acquisition, statement and transaction
// runs through a circuit breaker and safe retries. It is safe for concurrent use.
type Pool struct {
	db       *sql.DB
	br       *breaker.Breaker
	driver   Driver
	redacted string
	addr     string

	stmtRetry retry.Config // autocommit statements: only what cannot have run twice
	txRetry   retry.Config // whole transactions: also a connection lost before COMMIT
	stmt      guard        // the breaker with stmtRetry
	conn      guard        // the breaker alone, for pinned connections
}

// Open opens the database at url and checks that it answers (a Ping through the breaker and
// retries). An unreachable server is reported with its host and port; the password never
// appears in an error or in [Pool.String].
//
// url is postgres://user:password@host:port/database?sslmode=... (or postgresql://),
// sqlite:path/to/file.db, sqlite::memory:, file:... (an SQLite URI) or a plain file path.
// A SQLite URL gets busy_timeout 5000, WAL journal, BEGIN IMMEDIATE and foreign keys unless
// it sets _busy_timeout, _journal_mode, _txlock or _foreign_keys itself.
func Open(ctx context.Context, url string, cfg Config) (*Pool, error) {
	t, err := parseURL(url)
	if err != nil {
		return nil, err
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	p := &Pool{driver: t.driver, redacted: t.redacted, addr: t.addr}
	if err := p.configure(cfg); err != nil {
		return nil, err
	}

	switch t.driver {
	case Postgres:
		cc, err := pgx.ParseConfig(t.dsn)
		if err != nil {
			var pce *pgconn.ParseConfigError
			if errors.As(err, &pce) {
				err = pce.Unwrap()
			}
			if err == nil {
				err = errors.New("cannot parse")
			}
			return nil, fmt.Errorf("%w: %q: %s", ErrInvalidURL, t.redacted, redactAny(err.Error()))
		}
		p.db = sql.OpenDB(pgConnector{inner: stdlib.GetConnector(*cc)})
	case SQLite:
		if p.db, err = sql.Open("sqlite", t.dsn); err != nil {
			return nil, fmt.Errorf("dbpool: open %s: %w", t.redacted, err)
		}
	}
	p.setLimits(cfg, t)

	if err := p.Ping(ctx); err != nil {
		p.db.Close()
		if t.driver == Postgres {
			return nil, fmt.Errorf("dbpool: database at %s (%s) does not answer: %w", t.addr, t.redacted, err)
		}
		return nil, fmt.Errorf("dbpool: SQLite database %q cannot be opened: %w", t.addr, err)
	}
	return p, nil
}

func (c Config) validate() error {
	switch {
	case c.MaxOpenConns < 0:
		return fmt.Errorf("dbpool: Config.MaxOpenConns %d must not be negative", c.MaxOpenConns)
	case c.MaxIdleConns < 0:
		return fmt.Errorf("dbpool: Config.MaxIdleConns %d must not be negative", c.MaxIdleConns)
	case c.ConnMaxLifetime < 0:
		return fmt.Errorf("dbpool: Config.ConnMaxLifetime %v must not be negative", c.ConnMaxLifetime)
	case c.ConnMaxIdleTime < 0:
		return fmt.Errorf("dbpool: Config.ConnMaxIdleTime %v must not be negative", c.ConnMaxIdleTime)
	}
	if c.Retry != nil {
		if err := c.Retry.Validate(); err != nil {
			return fmt.Errorf("dbpool: Config.Retry: %w", err)
		}
	}
	return nil
}

// configure sets up the breaker and the retry configurations.
func (p *Pool) configure(cfg Config) error {
	bc := cfg.Breaker
	if bc.Name == "" {
		bc.Name = DefaultBreakerName
	}
	userFailure := bc.IsFailure
	bc.IsFailure = func(err error) bool {
		return failureOf(err) && (userFailure == nil || userFailure(err))
	}
	reg := cfg.Registry
	if reg == nil {
		reg = breaker.Default()
	}
	br, err := reg.Get(bc.Name, bc)
	if err != nil {
		return fmt.Errorf("dbpool: Config.Breaker: %w", err)
	}
	p.br = br

	var rc retry.Config
	if cfg.Retry != nil {
		rc = *cfg.Retry
	} else {
		rc = retry.Database
		rc.Name = "dbpool." + bc.Name
	}
	userRetry := rc.RetryIf
	narrow := func(safe func(error) bool) func(error) bool {
		return func(err error) bool { return safe(err) && (userRetry == nil || userRetry(err)) }
	}
	p.stmtRetry = rc
	p.stmtRetry.RetryIf = narrow(func(err error) bool { return safeForStatement(classify(err)) })
	p.txRetry = rc
	p.txRetry.RetryIf = narrow(safeForTx)
	p.stmt = guard{br: br, rc: &p.stmtRetry}
	p.conn = guard{br: br}
	return nil
}

func (p *Pool) setLimits(cfg Config, t target) {
	open := cfg.MaxOpenConns
	if open == 0 {
		switch {
		case t.memory:
			open = 1
		case t.driver == SQLite:
			open = 4
		default:
			open = 10
		}
	}
	idle := cfg.MaxIdleConns
	if idle == 0 || idle > open {
		idle = open
	}
	life := cfg.ConnMaxLifetime
	if life == 0 {
		life = 30 * time.Minute
	}
	idleTime := cfg.ConnMaxIdleTime
	if idleTime == 0 {
		idleTime = 5 * time.Minute
	}
	if t.memory {
		life, idleTime = 0, 0 // closing the only connection would drop the database
	}
	p.db.SetMaxOpenConns(open)
	p.db.SetMaxIdleConns(idle)
	p.db.SetConnMaxLifetime(life)
	p.db.SetConnMaxIdleTime(idleTime)
}

// failureOf is the breaker's classifier: outages count, the caller's mistakes do not.
func failureOf(err error) bool {
	var te *txError
	if errors.As(err, &te) && te.phase == phaseBody && classify(te.err) == classUnknown {
		return false // the transaction function's own error, not the database's
	}
	var pe *panicError
	if errors.As(err, &pe) {
		return false
	}
	return classify(err).failure()
}

// Close closes the pool's connections. The breaker stays in its registry.
func (p *Pool) Close() error { return p.db.Close() }

// String returns the database URL with the password replaced by "xxxxx".
func (p *Pool) String() string { return p.redacted }

// Driver says which database the pool talks to.
func (p *Pool) Driver() Driver { return p.driver }

// Breaker returns the pool's circuit breaker, for status pages and manual resets.
func (p *Pool) Breaker() *breaker.Breaker { return p.br }

// Stats is a snapshot of a pool's connections and breaker.
type Stats struct {
	DB      sql.DBStats
	Breaker breaker.Stats
}

// Stats returns the pool's connection statistics and its breaker's.
func (p *Pool) Stats() Stats { return Stats{DB: p.db.Stats(), Breaker: p.br.Stats()} }

// DB returns the underlying *sql.DB. It is an escape hatch for libraries that insist on one
// (a migration tool, a queue driver): everything done through it BYPASSES the breaker and the
// retries, so an outage there is neither detected nor failed fast. Prefer the Pool's methods.
func (p *Pool) DB() *sql.DB { return p.db }

// Ping checks that the database answers, through the breaker and retries.
func (p *Pool) Ping(ctx context.Context) error {
	return p.stmt.run(ctx, func(ctx context.Context) error { return p.db.PingContext(ctx) })
}
