-- name: FileGet :one
SELECT room_id, scope_key, path, size, content_type, etag, created_by, created_at, updated_at
FROM files
WHERE room_id = @room_id AND scope_key = @scope_key AND path = @path;

-- name: FileUpsert :one
-- Overwriting a path replaces its metadata; created_at stays that of the first upload.
INSERT INTO files (room_id, scope_key, path, size, content_type, etag, created_by)
VALUES (@room_id, @scope_key, @path, @size, @content_type, @etag, @created_by)
ON CONFLICT (room_id, scope_key, path) DO UPDATE
SET size = excluded.size, content_type = excluded.content_type, etag = excluded.etag,
    created_by = excluded.created_by, updated_at = now()
RETURNING room_id, scope_key, path, size, content_type, etag, created_by, created_at, updated_at;

-- name: FileList :many
-- starts_with, not LIKE: a prefix is matched byte for byte, with no wildcard to escape.
-- COLLATE "C" orders paths by bytes whatever the database's collation.
SELECT room_id, scope_key, path, size, content_type, etag, created_by, created_at, updated_at
FROM files
WHERE room_id = @room_id AND scope_key = @scope_key AND starts_with(path, @prefix::text)
ORDER BY path COLLATE "C"
LIMIT @max_rows;

-- name: FileDelete :execrows
DELETE FROM files
WHERE room_id = @room_id AND scope_key = @scope_key AND path = @path;

-- name: FileExists :one
SELECT EXISTS (
    SELECT 1 FROM files WHERE room_id = @room_id AND scope_key = @scope_key AND path = @path
);

-- name: FileLock :exec
-- A session-level lock on one file key, held by the upload or delete that changes both the
-- object and its row, so the two cannot interleave. Unrelated keys that hash alike only wait.
SELECT pg_advisory_lock(hashtextextended(@room_id::text || '/' || @scope_key::text || '/' || @path::text, 0));

-- name: FileUnlock :one
SELECT pg_advisory_unlock(hashtextextended(@room_id::text || '/' || @scope_key::text || '/' || @path::text, 0));
