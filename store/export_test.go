package store

import "context"

// MigrateTo applies the migrations up to version v, for tests that need a
// database as an older release left it.
func (s *Store) MigrateTo(ctx context.Context, v int) error { return s.migrateTo(ctx, v) }
