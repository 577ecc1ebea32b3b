package dbpool

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/resilience-go/resilience/breaker"
)

func pgErr(code string) error { return &pgconn.PgError{Severity: "ERROR", Code: code, Message: "m"} }

func TestClassify(t *testing.T) {
	dialRefused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	readReset := &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
	tests := []struct {
		name string
		give error
		want class
	}{
		{"nil", nil, classNone},
		{"breaker open", fmt.Errorf("x: %w", breaker.ErrOpen), classRejected},
		{"unique violation", pgErr("23505"), classCaller},
		{"foreign key violation", pgErr("23503"), classCaller},
		{"syntax error", pgErr("42601"), classCaller},
		{"undefined table", pgErr("42P01"), classCaller},
		{"division by zero", pgErr("22012"), classCaller},
		{"invalid text", pgErr("22P02"), classCaller},
		{"serialization failure", pgErr("40001"), classConflict},
		{"deadlock", pgErr("40P01"), classConflict},
		{"lock not available", pgErr("55P03"), classConflict},
		{"admin shutdown mid-statement", pgErr("57P01"), classLost},
		{"connection failure mid-statement", pgErr("08006"), classLost},
		{"cannot connect now", pgErr("57P03"), classUnavailable},
		{"too many connections", pgErr("53300"), classUnavailable},
		{"auth failed", pgErr("28P01"), classFault},
		{"unknown database", pgErr("3D000"), classFault},
		{"statement timeout", pgErr("57014"), classFault},
		{"disk full", pgErr("53100"), classFault},
		{"internal error", pgErr("XX000"), classFault},
		{"wrapped caller error", fmt.Errorf("insert: %w", pgErr("23505")), classCaller},
		{"no rows", sql.ErrNoRows, classCaller},
		{"bad conn", driver.ErrBadConn, classUnavailable},
		{"dial refused", dialRefused, classUnavailable},
		{"econnrefused", syscall.ECONNREFUSED, classUnavailable},
		{"reset while reading", readReset, classLost},
		{"unexpected EOF", io.ErrUnexpectedEOF, classLost},
		{"conn closed", pgconn.ErrConnClosed, classLost},
		{"lost mid-statement", errLostMidStatement, classLost},
		{"canceled", context.Canceled, classCanceled},
		{"deadline", context.DeadlineExceeded, classFault},
		{"unknown", errors.New("something else"), classUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := classify(tt.give); got != tt.want {
				t.Errorf("classify(%v) = %s, want %s", tt.give, got, tt.want)
			}
		})
	}
}

func TestClassifySQLite(t *testing.T) {
	tests := []struct {
		name string
		give int
		want class
	}{
		{"busy", 5, classConflict},
		{"busy snapshot (extended)", 5 | 2<<8, classConflict},
		{"locked", 6, classConflict},
		{"locked shared cache (extended)", 6 | 1<<8, classConflict},
		{"constraint unique (extended)", 19 | 8<<8, classCaller},
		{"generic error (syntax, no such table)", 1, classCaller},
		{"ioerr", 10, classFault},
		{"full", 13, classFault},
		{"cantopen", 14, classFault},
		{"corrupt", 11, classFault},
		{"interrupt", 9, classCanceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := classifySQLite(tt.give); got != tt.want {
				t.Errorf("classifySQLite(%d) = %s, want %s", tt.give, got, tt.want)
			}
		})
	}
}

func TestSafeForTx(t *testing.T) {
	tests := []struct {
		name string
		give error
		want bool
	}{
		{"begin refused", &txError{phase: phaseBegin, err: driver.ErrBadConn}, true},
		{"begin lost", &txError{phase: phaseBegin, err: io.ErrUnexpectedEOF}, true},
		{"body conflict", &txError{phase: phaseBody, err: pgErr("40001")}, true},
		{"body deadlock", &txError{phase: phaseBody, err: pgErr("40P01")}, true},
		{"body lost before commit", &txError{phase: phaseBody, err: pgErr("57P01")}, true},
		{"body constraint", &txError{phase: phaseBody, err: pgErr("23505")}, false},
		{"body own error", &txError{phase: phaseBody, err: errors.New("insufficient funds")}, false},
		{"commit serialization failure", &txError{phase: phaseCommit, err: pgErr("40001")}, true},
		{"commit not sent", &txError{phase: phaseCommit, err: driver.ErrBadConn}, true},
		{"commit lost", &txError{phase: phaseCommit, err: io.ErrUnexpectedEOF, unknown: true}, false},
		{"commit conn closed (pgx calls it safe)", &txError{phase: phaseCommit, err: fmt.Errorf("commit: %w", pgconn.ErrConnClosed)}, false},
		{"breaker open", breaker.ErrOpen, false},
		{"panic", &panicError{val: 1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := safeForTx(tt.give); got != tt.want {
				t.Errorf("safeForTx(%v) = %v, want %v", tt.give, got, tt.want)
			}
		})
	}
}

func TestFailureOf(t *testing.T) {
	tests := []struct {
		name string
		give error
		want bool
	}{
		{"constraint", pgErr("23505"), false},
		{"syntax", pgErr("42601"), false},
		{"data", pgErr("22012"), false},
		{"conflict", pgErr("40001"), false},
		{"no rows", sql.ErrNoRows, false},
		{"refused", driver.ErrBadConn, true},
		{"lost", io.ErrUnexpectedEOF, true},
		{"auth", pgErr("28P01"), true},
		{"unknown statement error", errors.New("odd"), true},
		{"transaction function's own error", &txError{phase: phaseBody, err: errors.New("insufficient funds")}, false},
		{"transaction function saw the connection die", &txError{phase: phaseBody, err: io.ErrUnexpectedEOF}, true},
		{"transaction function panicked", &panicError{val: "boom"}, false},
		{"commit lost", &txError{phase: phaseCommit, err: io.ErrUnexpectedEOF, unknown: true}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := failureOf(tt.give); got != tt.want {
				t.Errorf("failureOf(%v) = %v, want %v", tt.give, got, tt.want)
			}
		})
	}
}

func TestCommitUnknownMatches(t *testing.T) {
	err := fmt.Errorf("dbpool: transaction: %w", &txError{phase: phaseCommit, err: io.ErrUnexpectedEOF, unknown: true})
	if !errors.Is(err, ErrCommitUnknown) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("errors.Is(%v, ErrCommitUnknown / io.ErrUnexpectedEOF) = false, want true", err)
	}
	if errors.Is(&txError{phase: phaseCommit, err: pgErr("40001")}, ErrCommitUnknown) {
		t.Error("a serialization failure at commit matches ErrCommitUnknown, want not")
	}
}
