-- Second factors (#16): one TOTP factor per user. The secret is not hashed, as every other
-- secret here is, because the server must compute codes from it: it is sealed (AES-256-GCM
-- under GATEHOUSE_SECRET_KEY, see domain.ServerKeys.SealTOTP) for its user, so a copy in
-- another user's row does not open. last_step is the TOTP step of the last code accepted;
-- UseTOTPStep raises it with UPDATE ... WHERE last_step < ?, which makes a code single use.
-- No foreign key to gatehouse_users, as for sessions: account deletion removes the factors
-- (ports.FactorStore.DeleteUserFactors).

-- +goose Up
CREATE TABLE gatehouse_totp (
    user_id      BIGINT UNSIGNED NOT NULL,
    sealed       VARBINARY(255) NOT NULL,
    confirmed    BOOLEAN NOT NULL,
    created_at   DATETIME(6) NOT NULL,
    last_step    BIGINT NOT NULL,
    -- NULL: no code accepted at login yet.
    last_used_at DATETIME(6) NULL,
    PRIMARY KEY (user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE gatehouse_totp;
