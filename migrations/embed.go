// Package migrations holds the goose SQL migrations, embedded in the binary so that every
// replica can migrate the database it starts against.
package migrations

import "embed"

// FS holds the migration files, named NNNNN_description.sql.
//
//go:embed *.sql
var FS embed.FS
