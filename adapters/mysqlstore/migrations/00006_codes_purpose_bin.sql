-- A code's purpose compares bytes (#15). Migration 2 declared it CHARACTER SET ascii with no
-- collation, which is ascii_general_ci: ConsumeCode under "Password-Reset" or
-- "password-reset " found a "password-reset" code, where the memory and Redis stores (and
-- the port) compare exactly. VARBINARY, as username_key in migration 1: ascii_bin would
-- still ignore trailing spaces (PAD SPACE), and ascii_nopad_bin is MariaDB's alone. The
-- purposes are ASCII, so every row converts byte for byte, both ways.

-- +goose Up
ALTER TABLE gatehouse_codes MODIFY purpose VARBINARY(32) NOT NULL;

-- +goose Down
ALTER TABLE gatehouse_codes MODIFY purpose VARCHAR(32) CHARACTER SET ascii NOT NULL;
