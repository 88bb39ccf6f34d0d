-- Authentication levels (#16): the level of the login that issued a session or token, 1 for a
-- password (or a passkey alone), 2 with a second factor (domain.AuthLevel). Rows written
-- before this migration were issued on one factor at most, so the default 1 is their truth.
-- ADD COLUMN with a constant default is an instant change in MariaDB 10.3+ and MySQL 8.0.12+:
-- the tables are not rebuilt.

-- +goose Up
ALTER TABLE gatehouse_sessions ADD COLUMN auth_level TINYINT UNSIGNED NOT NULL DEFAULT 1;
ALTER TABLE gatehouse_tokens ADD COLUMN auth_level TINYINT UNSIGNED NOT NULL DEFAULT 1;

-- +goose Down
ALTER TABLE gatehouse_tokens DROP COLUMN auth_level;
ALTER TABLE gatehouse_sessions DROP COLUMN auth_level;
