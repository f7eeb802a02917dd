-- name: RecordGet :one
SELECT room_id, collection, id, user_id, data, version, created_at, updated_at
FROM records
WHERE room_id = @room_id AND collection = @collection AND id = @id;

-- name: RecordListByIDs :many
-- The current rows behind a change notification, fetched in one query per collection.
SELECT room_id, collection, id, user_id, data, version, created_at, updated_at
FROM records
WHERE room_id = @room_id AND collection = @collection AND id = ANY(@ids::text[]);

-- Group commit (records/batch.go): one statement per kind for a whole batch of mutations, keys
-- passed as parallel arrays (unnest in a select list zips arrays of equal length).

-- name: RecordLockMany :many
-- Locks the batch's existing records in key order, so that two replicas' batches never wait on
-- each other in a cycle.
SELECT r.room_id, r.collection, r.id, r.user_id, r.data, r.version, r.created_at, r.updated_at
FROM records r
JOIN (SELECT unnest(@rooms::text[]) AS room_id, unnest(@collections::text[]) AS collection,
             unnest(@ids::text[]) AS id) AS k
  ON r.room_id = k.room_id AND r.collection = k.collection AND r.id = k.id
ORDER BY r.room_id, r.collection, r.id
FOR UPDATE OF r;

-- name: RecordInsertMany :many
-- A key another transaction inserted meanwhile is skipped (no row returned): that create
-- conflicts, its neighbours do not.
INSERT INTO records (room_id, collection, id, user_id, data)
SELECT k.room_id, k.collection, k.id, k.user_id, k.data::jsonb
FROM (SELECT unnest(@rooms::text[]) AS room_id, unnest(@collections::text[]) AS collection,
             unnest(@ids::text[]) AS id, unnest(@user_ids::text[]) AS user_id,
             unnest(@datas::text[]) AS data) AS k
ORDER BY k.room_id, k.collection, k.id
ON CONFLICT DO NOTHING
RETURNING room_id, collection, id, user_id, data, version, created_at, updated_at;

-- name: RecordUpdateMany :many
UPDATE records r
SET data = k.data::jsonb, version = r.version + 1, updated_at = now()
FROM (SELECT unnest(@rooms::text[]) AS room_id, unnest(@collections::text[]) AS collection,
             unnest(@ids::text[]) AS id, unnest(@datas::text[]) AS data) AS k
WHERE r.room_id = k.room_id AND r.collection = k.collection AND r.id = k.id
RETURNING r.room_id, r.collection, r.id, r.user_id, r.data, r.version, r.created_at, r.updated_at;

-- name: RecordDeleteMany :many
-- The records' field documents (<collection>/<id>/<field>, records/docs.go) go with them, in the
-- same statement, so a record created later with the same id starts with empty documents. The
-- batch has locked every key (RecordLockMany), so each one is deleted. A name is matched byte for
-- byte by starts_with, not LIKE (where the _ of an id is a wildcard); the prefix's trailing /
-- keeps tasks/a from matching tasks/ab/body, and the pattern asks for exactly one non-empty field
-- segment after it, as DocAccess counts a field document (tasks/a/x/y is not one).
-- An update racing this statement cannot leave a row behind: appends and compactions of a field
-- document hold its record's row (RecordLockKeyShare) until they commit.
WITH k AS (
    SELECT k.room_id, k.collection, k.id, k.collection || '/' || k.id || '/' AS prefix
    FROM (SELECT unnest(@rooms::text[]) AS room_id, unnest(@collections::text[]) AS collection,
                 unnest(@ids::text[]) AS id) AS k
), docs AS (
    DELETE FROM yjs_docs d USING k
    WHERE d.room_id = k.room_id AND starts_with(d.name, k.prefix) AND d.name ~ '^[^/]+/[^/]+/[^/]+$'
), tail AS (
    DELETE FROM yjs_updates u USING k
    WHERE u.room_id = k.room_id AND starts_with(u.name, k.prefix) AND u.name ~ '^[^/]+/[^/]+/[^/]+$'
)
DELETE FROM records r
USING k
WHERE r.room_id = k.room_id AND r.collection = k.collection AND r.id = k.id
RETURNING r.room_id, r.collection, r.id, r.user_id, r.data, r.version, r.created_at, r.updated_at;

-- name: RecordLockKeyShare :one
-- Holds a record until the transaction ends, the weakest way: its data may change, it cannot be
-- deleted. Whoever stores a field document's rows holds its record so, and a delete of the record
-- (FOR UPDATE, then DELETE) waits for those rows to commit and deletes them too; an append that
-- comes after the delete finds no record. False when the record does not exist.
SELECT EXISTS (
    SELECT 1 FROM records
    WHERE room_id = @room_id AND collection = @collection AND id = @id
    FOR KEY SHARE
);
