-- Verified addresses and unique addresses (#15).
--
-- email_verified: the user followed a link sent to the address.
--
-- email_claim makes unique addresses race-safe. A write under domain.EmailUnique sets it to
-- the row's email_key; a write under domain.EmailShared (imported Django users) leaves it
-- NULL, and a UNIQUE index ignores NULLs, so shared addresses stay possible. A unique write
-- also checks first that no row at all has the key, claimed or not; that read alone would
-- let two racing unique writes both pass, but only one of them can then store the claim, and
-- the other gets a duplicate-key error. A shared write racing a unique one may leave both
-- rows with the address, which is what a shared write after the unique one gives as well.
--
-- Existing rows keep a NULL claim: the check still counts them, and they were written when
-- addresses could be shared.

-- +goose Up
ALTER TABLE gatehouse_users
    ADD COLUMN email_verified BOOLEAN NOT NULL DEFAULT FALSE AFTER email_key,
    ADD COLUMN email_claim VARBINARY(1024) NULL DEFAULT NULL AFTER email_verified,
    ADD UNIQUE KEY gatehouse_users_email_claim (email_claim);

-- +goose Down
ALTER TABLE gatehouse_users DROP KEY gatehouse_users_email_claim, DROP COLUMN email_claim,
    DROP COLUMN email_verified;
