-- name: ReportingGrant :exec
-- Idempotent: granting what a role has already changes nothing.
SELECT recordroom_reporting_grant(@role_name::text);
