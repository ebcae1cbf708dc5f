package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/langran/langran/model"
)

// TranslateError maps database errors to model errors: a missing row becomes
// NotFound, a duplicate key Conflict. Anything else is returned wrapped and
// stays internal: it is logged, never shown.
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
	default:
		return fmt.Errorf("database: %w", err)
	}
}

func isDuplicateKey(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "Duplicate entry") || strings.Contains(msg, "UNIQUE constraint failed")
}
