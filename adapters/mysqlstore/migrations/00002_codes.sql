-- One-time codes: email verification, password reset and email change links (#15). As
-- sessions and tokens, a code is stored only as the SHA-256 of its secret, which is the key.
-- Codes are never updated: created, then consumed (deleted) or swept when expired.

-- +goose Up
CREATE TABLE gatehouse_codes (
    hash       BINARY(32) NOT NULL,
    user_id    BIGINT UNSIGNED NOT NULL,
    purpose    VARCHAR(32) CHARACTER SET ascii NOT NULL,
    email      VARCHAR(254) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    expires_at DATETIME(6) NOT NULL,
    PRIMARY KEY (hash),
    KEY gatehouse_codes_user (user_id, purpose),
    KEY gatehouse_codes_expiry (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE gatehouse_codes;
