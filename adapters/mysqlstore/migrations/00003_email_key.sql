-- Lookup of users by address, for password reset requests (#15). Addresses are not unique
-- (imported Django users may share one), so the key is an ordinary index. email_key holds
-- domain.EmailKey(email): NFKC case-folded, compared bytewise (VARBINARY), as username_key.
-- A collation cannot do this: utf8mb4_bin (the table's) is case-sensitive and the _ci ones
-- ignore accents and trailing spaces.
--
-- Rows written before this migration get LOWER(email), which equals EmailKey for every
-- ASCII address; migration 5 (migrate_emailkey.go, in Go) rekeys the others.

-- +goose Up
ALTER TABLE gatehouse_users
    ADD COLUMN email_key VARBINARY(1024) NOT NULL DEFAULT '' AFTER email,
    ADD KEY gatehouse_users_email_key (email_key);
UPDATE gatehouse_users SET email_key = LOWER(TRIM(email)) WHERE email <> '';

-- +goose Down
ALTER TABLE gatehouse_users DROP KEY gatehouse_users_email_key, DROP COLUMN email_key;
