-- The data model of DESIGN.md. Every room table is hash-partitioned on room_id (16 partitions)
-- with a primary key that starts with room_id, so a room's rows stay together and a distributed
-- Postgres (Citus, room_id as distribution column) can take the same schema unchanged.
-- Length checks keep every key small enough that a NOTIFY payload row is bounded (see 00002).

-- +goose Up
CREATE TABLE rooms (
    room_id         text        PRIMARY KEY CHECK (room_id ~ '^[A-Za-z0-9._:-]{1,128}$'),
    default_role    text        NOT NULL DEFAULT 'member' CHECK (default_role IN ('admin', 'member', 'viewer')),
    allow_anonymous boolean     NOT NULL DEFAULT false,
    schema          jsonb,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE records (
    room_id    text        NOT NULL REFERENCES rooms (room_id) ON DELETE CASCADE,
    collection text        NOT NULL CHECK (collection ~ '^[A-Za-z0-9_-]{1,64}$'),
    id         text        NOT NULL CHECK (id ~ '^[A-Za-z0-9._:-]{1,128}$'),
    user_id    text        NOT NULL CHECK (octet_length(user_id) BETWEEN 1 AND 256),
    data       jsonb       NOT NULL CHECK (jsonb_typeof(data) = 'object'),
    version    bigint      NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (room_id, collection, id)
) PARTITION BY HASH (room_id);

CREATE INDEX records_room_collection_created_idx ON records (room_id, collection, created_at, id);
CREATE INDEX records_data_idx ON records USING gin (data jsonb_path_ops);

CREATE TABLE users (
    room_id       text        NOT NULL REFERENCES rooms (room_id) ON DELETE CASCADE,
    user_id       text        NOT NULL CHECK (octet_length(user_id) BETWEEN 1 AND 256),
    role          text        NOT NULL CHECK (role IN ('admin', 'member', 'viewer')),
    email         text        CHECK (octet_length(email) <= 320),
    name          text        CHECK (octet_length(name) <= 256),
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (room_id, user_id)
) PARTITION BY HASH (room_id);

CREATE TABLE teams (
    room_id    text        NOT NULL REFERENCES rooms (room_id) ON DELETE CASCADE,
    id         text        NOT NULL CHECK (id ~ '^[A-Za-z0-9._:-]{1,128}$'),
    name       text        NOT NULL CHECK (octet_length(name) BETWEEN 1 AND 256),
    created_by text        NOT NULL CHECK (octet_length(created_by) BETWEEN 1 AND 256),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (room_id, id)
) PARTITION BY HASH (room_id);

CREATE TABLE team_members (
    room_id    text        NOT NULL,
    team_id    text        NOT NULL,
    id         text        NOT NULL CHECK (id ~ '^[A-Za-z0-9._:-]{1,128}$'),
    -- user_id is null while an invite to email is pending.
    user_id    text        CHECK (octet_length(user_id) BETWEEN 1 AND 256),
    email      text        CHECK (octet_length(email) <= 320),
    role       text        NOT NULL DEFAULT 'member' CHECK (role IN ('admin', 'member')),
    status     text        NOT NULL CHECK (status IN ('pending', 'active', 'declined')),
    invited_by text        NOT NULL CHECK (octet_length(invited_by) BETWEEN 1 AND 256),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (room_id, team_id, id),
    FOREIGN KEY (room_id, team_id) REFERENCES teams (room_id, id) ON DELETE CASCADE,
    CHECK (user_id IS NOT NULL OR (status <> 'active' AND email IS NOT NULL))
) PARTITION BY HASH (room_id);

-- One membership per user per team; pending invites are matched by email instead.
CREATE UNIQUE INDEX team_members_user_idx ON team_members (room_id, team_id, user_id);

CREATE TABLE yjs_docs (
    room_id      text        NOT NULL REFERENCES rooms (room_id) ON DELETE CASCADE,
    name         text        NOT NULL CHECK (octet_length(name) BETWEEN 1 AND 256),
    state        bytea       NOT NULL,
    state_vector bytea       NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (room_id, name)
) PARTITION BY HASH (room_id);

-- seq comes from one shared sequence: it only has to grow, not to be dense per document.
CREATE SEQUENCE yjs_updates_seq AS bigint;

CREATE TABLE yjs_updates (
    room_id    text        NOT NULL REFERENCES rooms (room_id) ON DELETE CASCADE,
    name       text        NOT NULL CHECK (octet_length(name) BETWEEN 1 AND 256),
    seq        bigint      NOT NULL DEFAULT nextval('yjs_updates_seq'),
    update     bytea       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (room_id, name, seq)
) PARTITION BY HASH (room_id);

ALTER SEQUENCE yjs_updates_seq OWNED BY yjs_updates.seq;

CREATE TABLE files (
    room_id      text        NOT NULL REFERENCES rooms (room_id) ON DELETE CASCADE,
    -- scope_key is the object key's middle part: widgets/{widgetId} or users/{userId}.
    scope_key    text        NOT NULL CHECK (octet_length(scope_key) BETWEEN 1 AND 300),
    path         text        NOT NULL CHECK (octet_length(path) BETWEEN 1 AND 512),
    size         bigint      NOT NULL CHECK (size >= 0),
    content_type text        NOT NULL,
    etag         text        NOT NULL,
    created_by   text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (room_id, scope_key, path)
) PARTITION BY HASH (room_id);

-- 16 hash partitions per room table, named <table>_p00 … <table>_p15.
-- +goose StatementBegin
DO $$
DECLARE
    t text;
    i int;
BEGIN
    FOREACH t IN ARRAY ARRAY['records', 'users', 'teams', 'team_members', 'yjs_docs', 'yjs_updates', 'files'] LOOP
        FOR i IN 0..15 LOOP
            EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES WITH (MODULUS 16, REMAINDER %s)',
                           t || '_p' || lpad(i::text, 2, '0'), t, i);
        END LOOP;
    END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE files;
DROP TABLE yjs_updates;
DROP TABLE yjs_docs;
DROP TABLE team_members;
DROP TABLE teams;
DROP TABLE users;
DROP TABLE records;
DROP TABLE rooms;
