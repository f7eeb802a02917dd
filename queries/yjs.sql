-- name: YjsDocLoad :many
-- The compacted state (seq 0) and the tail not yet folded into it, in the order written. One
-- statement, so one snapshot: a compaction in between cannot make an update seem to vanish.
SELECT 0::bigint AS seq, state AS update FROM yjs_docs d WHERE d.room_id = @room_id AND d.name = @name
UNION ALL
SELECT u.seq, u.update FROM yjs_updates u WHERE u.room_id = @room_id AND u.name = @name
ORDER BY seq;

-- name: YjsUpdateInsert :one
INSERT INTO yjs_updates (room_id, name, update) VALUES (@room_id, @name, @update) RETURNING seq;

-- name: YjsUpdatesBySeq :many
SELECT seq, update FROM yjs_updates
WHERE room_id = @room_id AND name = @name AND seq = ANY(@seqs::bigint[])
ORDER BY seq;

-- name: YjsDocSize :one
-- What the document takes in storage: its compacted state and its tail.
SELECT (coalesce((SELECT octet_length(state) FROM yjs_docs d WHERE d.room_id = @room_id AND d.name = @name), 0)
     + coalesce((SELECT sum(octet_length(update)) FROM yjs_updates u WHERE u.room_id = @room_id AND u.name = @name), 0))::bigint AS bytes,
       (SELECT count(*) FROM yjs_updates u WHERE u.room_id = @room_id AND u.name = @name) AS tail_rows;

-- name: YjsDocLock :exec
-- Serialises compactions of one document (appends are never blocked by it).
SELECT pg_advisory_xact_lock(hashtextextended('recordroom.yjs/' || @room_id::text || '/' || @name::text, 0));

-- name: YjsUpdatesFoldable :many
-- Tail rows old enough that every replica has relayed them (their notification is long handled).
SELECT seq, update FROM yjs_updates
WHERE room_id = @room_id AND name = @name AND created_at < now() - make_interval(secs => @min_age_seconds::float8)
ORDER BY seq;

-- name: YjsDocUpsert :exec
INSERT INTO yjs_docs (room_id, name, state, state_vector) VALUES (@room_id, @name, @state, @state_vector)
ON CONFLICT (room_id, name) DO UPDATE SET state = EXCLUDED.state, state_vector = EXCLUDED.state_vector, updated_at = now();

-- name: YjsUpdatesDelete :exec
DELETE FROM yjs_updates WHERE room_id = @room_id AND name = @name AND seq = ANY(@seqs::bigint[]);

-- name: Notify :exec
-- Awareness updates travel between replicas on the change channel without being stored.
SELECT pg_notify(@channel::text, @payload::text);

-- name: NotifyKey :one
-- The key replicas sign relayed awareness updates with (migration 00008); only the server's
-- role may read it.
SELECT key FROM recordroom_notify_key;
