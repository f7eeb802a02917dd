-- Anyone who can log in may NOTIFY on the change channel (pg_notify cannot be revoked without a
-- superuser), so replicas treat notifications as hints: keys are fetched again with the rules
-- applied, and the one payload that carries data, a relayed awareness update, is signed with a
-- key only the server's role can read (docs/notify.md). What can be revoked is: the publishing
-- function, which the triggers now call as their owner.

-- +goose Up
REVOKE EXECUTE ON FUNCTION recordroom_publish(text, text, text[]) FROM PUBLIC;

-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['records', 'users', 'teams', 'team_members', 'yjs_updates', 'rooms'] LOOP
        EXECUTE format('ALTER FUNCTION %I() SECURITY DEFINER SET search_path FROM CURRENT', 'recordroom_' || t || '_changed');
    END LOOP;
END
$$;
-- +goose StatementEnd

CREATE TABLE recordroom_notify_key (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    key       bytea   NOT NULL CHECK (octet_length(key) = 32)
);
-- gen_random_uuid draws from the server's strong random source: two of them give 244 random bits.
INSERT INTO recordroom_notify_key (key)
VALUES (decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'));
REVOKE ALL ON recordroom_notify_key FROM PUBLIC;

-- +goose Down
DROP TABLE recordroom_notify_key;
-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['records', 'users', 'teams', 'team_members', 'yjs_updates', 'rooms'] LOOP
        EXECUTE format('ALTER FUNCTION %I() SECURITY INVOKER RESET search_path', 'recordroom_' || t || '_changed');
    END LOOP;
END
$$;
-- +goose StatementEnd
GRANT EXECUTE ON FUNCTION recordroom_publish(text, text, text[]) TO PUBLIC;
