-- Field documents (<collection>/<recordId>/<field>) are deleted with their record from now on
-- (the RecordDeleteMany query). Those of records deleted before stayed behind, readable by
-- nobody until a record with the same id was created, which would then read them: they go now.
-- Only a three-segment name is a field document (records/docs.go); others belong to no record.

-- +goose Up
DELETE FROM yjs_docs d
WHERE d.name ~ '^[^/]+/[^/]+/[^/]+$'
  AND NOT EXISTS (SELECT 1 FROM records r
                  WHERE r.room_id = d.room_id AND r.collection = split_part(d.name, '/', 1)
                    AND r.id = split_part(d.name, '/', 2));

DELETE FROM yjs_updates u
WHERE u.name ~ '^[^/]+/[^/]+/[^/]+$'
  AND NOT EXISTS (SELECT 1 FROM records r
                  WHERE r.room_id = u.room_id AND r.collection = split_part(u.name, '/', 1)
                    AND r.id = split_part(u.name, '/', 2));

-- +goose Down
-- The deleted rows belonged to records that no longer exist: there is nothing to restore.
SELECT 1;
