-- Gatehouse's first schema. Tables carry a gatehouse_ prefix so they can share a database
-- with an application's own tables. Secrets are stored only as SHA-256 (BINARY(32)); times
-- are UTC at microsecond precision. Works on MariaDB 10.6+ and MySQL 8.0+.

-- +goose Up
CREATE TABLE gatehouse_users (
    id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    username      VARCHAR(150) NOT NULL,
    -- NFKC case-folded username: the uniqueness key. VARBINARY compares bytes exactly; a
    -- _bin collation would still ignore trailing spaces (PAD SPACE).
    username_key  VARBINARY(2048) NOT NULL,
    email         VARCHAR(254) NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    is_active     BOOLEAN NOT NULL,
    date_joined   DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY gatehouse_users_username_key (username_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE gatehouse_sessions (
    secret_hash  BINARY(32) NOT NULL,
    id           CHAR(32) CHARACTER SET ascii NOT NULL,
    user_id      BIGINT UNSIGNED NOT NULL,
    created_at   DATETIME(6) NOT NULL,
    last_seen_at DATETIME(6) NOT NULL,
    expires_at   DATETIME(6) NOT NULL,
    ip           VARCHAR(64) NOT NULL,
    user_agent   VARCHAR(256) NOT NULL,
    PRIMARY KEY (secret_hash),
    UNIQUE KEY gatehouse_sessions_id (id),
    KEY gatehouse_sessions_user (user_id, created_at),
    KEY gatehouse_sessions_expiry (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE gatehouse_tokens (
    secret_hash  BINARY(32) NOT NULL,
    id           CHAR(32) CHARACTER SET ascii NOT NULL,
    user_id      BIGINT UNSIGNED NOT NULL,
    name         VARCHAR(100) NOT NULL,
    created_at   DATETIME(6) NOT NULL,
    last_used_at DATETIME(6) NULL,
    -- NULL: the token never expires.
    expires_at   DATETIME(6) NULL,
    PRIMARY KEY (secret_hash),
    UNIQUE KEY gatehouse_tokens_id (id),
    KEY gatehouse_tokens_user (user_id, created_at),
    KEY gatehouse_tokens_expiry (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE gatehouse_tokens;
DROP TABLE gatehouse_sessions;
DROP TABLE gatehouse_users;
