package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	"github.com/langran/langran/model"
)

// TranslateError maps database errors to model errors: a missing row becomes
// NotFound, a duplicate key Conflict, and a database that cannot be reached
// (or is shutting down) Unavailable, which clients may retry. Anything else
// is returned wrapped and stays internal: it is logged, never shown.
func TranslateError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return &model.Error{Code: model.CodeNotFound, Message: "not found"}
	case errors.Is(err, gorm.ErrDuplicatedKey) || isDuplicateKey(err):
		return &model.Error{Code: model.CodeConflict, Message: "already exists"}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case isUnavailable(err):
		return &model.Error{Code: model.CodeUnavailable, Cause: err,
			Message: "the service is temporarily unavailable; retry in a moment"}
	default:
		return fmt.Errorf("database: %w", err)
	}
}

func isDuplicateKey(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "Duplicate entry") || strings.Contains(msg, "UNIQUE constraint failed")
}

// MySQL server errors that mean the server cannot serve now, not that the
// statement is wrong: too many connections, shutting down, connection
// killed, and a Galera node that is not (yet) part of the cluster.
var unavailableMySQLErrors = map[uint16]bool{
	1040: true, // ER_CON_COUNT_ERROR
	1053: true, // ER_SERVER_SHUTDOWN
	1927: true, // ER_CONNECTION_KILLED (MariaDB)
	1047: true, // WSREP has not yet prepared node for application use
	2006: true, // server has gone away
	2013: true, // lost connection during query
}

// isUnavailable reports whether err says the database could not be reached
// or dropped the connection: the request was sound and may succeed if
// retried once the database is back.
func isUnavailable(err error) bool {
	var myErr *mysql.MySQLError
	if errors.As(err, &myErr) {
		return unavailableMySQLErrors[myErr.Number]
	}
	var netErr net.Error
	var opErr *net.OpError
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, mysql.ErrInvalidConn) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &opErr) || errors.As(err, &netErr)
}

// Retryable reports whether err ended a transaction that may well succeed
// if run again from the start (RetryTx): MySQL chose it as the victim of a
// deadlock, or Galera as the loser of a certification conflict (a write to
// the same rows committed first on another node), which MariaDB reports
// the same way (1213); a lock wait timed out (1205); the commit itself
// failed and rolled back (1180, which Galera can return); or SQLite found
// the database busy with another writer (SQLITE_BUSY, 5; SQLITE_LOCKED, 6).
func Retryable(err error) bool {
	var myErr *mysql.MySQLError
	if errors.As(err, &myErr) {
		return retryableMySQLErrors[myErr.Number]
	}
	var liteErr interface{ Code() int }
	if errors.As(err, &liteErr) {
		c := liteErr.Code() & 0xff
		return c == 5 || c == 6
	}
	return false
}

var retryableMySQLErrors = map[uint16]bool{
	1213: true, // ER_LOCK_DEADLOCK; also Galera's certification failure ("WSREP detected deadlock/conflict")
	1205: true, // ER_LOCK_WAIT_TIMEOUT
	1180: true, // ER_ERROR_DURING_COMMIT
}
