-- A code's Data (#16): what its use case remembers between two steps, such as a WebAuthn
-- ceremony's state, at most domain.MaxCodeDataBytes of opaque bytes. BLOB rather than
-- VARBINARY(8192): it is stored off the row when long, so the rows every code lookup reads
-- stay small, and holds any byte, NUL and 0xff too. NULL for a code without Data, which is
-- every code written before this migration; adding a nullable column at the end needs no
-- table copy (MySQL 8.0 and MariaDB 10.3+ add it instantly).

-- +goose Up
ALTER TABLE gatehouse_codes ADD COLUMN data BLOB NULL;

-- +goose Down
ALTER TABLE gatehouse_codes DROP COLUMN data;
