-- Passkeys (#16): a user's WebAuthn credentials, at most domain.MaxPasskeys each. The key is
-- the user and the SHA-256 of the credential id: ids are up to 1023 bytes, too long for an
-- index prefix to be unique, and a hash of fixed width keeps the key short. credential_id is
-- kept whole, VARBINARY so that it compares byte for byte (no collation, no padding), as
-- does the hash. data is the credential record (public key, signature counter), opaque and
-- not secret. No foreign key to gatehouse_users, as for the TOTP factor: account deletion
-- removes them (ports.FactorStore.DeleteUserFactors).
--
-- gatehouse_passkey_users holds one row per user who has added a passkey: AddPasskey locks it
-- first, so the adds of one user take turns and each counts the user's passkeys after the
-- last one committed. A locking read of the user's passkeys alone would not do: with none
-- there is no row to lock, only a gap, and gap locks do not exclude each other, so
-- concurrent first adds deadlock on their inserts (or, under READ COMMITTED, all insert).

-- +goose Up
CREATE TABLE gatehouse_passkeys (
    user_id         BIGINT UNSIGNED NOT NULL,
    credential_hash BINARY(32) NOT NULL,
    credential_id   VARBINARY(1023) NOT NULL,
    name            VARCHAR(64) NOT NULL,
    data            BLOB NOT NULL,
    created_at      DATETIME(6) NOT NULL,
    -- NULL: never used to log in.
    last_used_at    DATETIME(6) NULL,
    PRIMARY KEY (user_id, credential_hash)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE gatehouse_passkey_users (
    user_id BIGINT UNSIGNED NOT NULL,
    PRIMARY KEY (user_id)
) ENGINE=InnoDB;

-- +goose Down
DROP TABLE gatehouse_passkey_users;
DROP TABLE gatehouse_passkeys;
