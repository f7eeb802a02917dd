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
DELETE FROM records r
USING (SELECT unnest(@rooms::text[]) AS room_id, unnest(@collections::text[]) AS collection,
             unnest(@ids::text[]) AS id) AS k
WHERE r.room_id = k.room_id AND r.collection = k.collection AND r.id = k.id
RETURNING r.room_id, r.collection, r.id, r.user_id, r.data, r.version, r.created_at, r.updated_at;
