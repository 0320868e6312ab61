-- SecureKeyStorage on PostgreSQL: the schema, version 1.
--
-- The database holds only sealed data. Every byte of every column below is covered by the
-- store's MAC, so a change, a deleted row, a row copied from another store or a row rolled back
-- is detected on the next read; a writer to these tables can destroy keys but not read or alter
-- them unnoticed. That is why the tables have no other columns (no timestamps, no defaults): a
-- column the MAC does not cover would be a place to hide a change.
--
-- Idempotent: running it again changes nothing. The package uses the schema ama unless
-- PostgreSqlKeyStoreOptions.Schema names another; for another schema, replace the name in the
-- statements (sed -E 's/\bama(\.key_|;)/myschema\1/g' does exactly that, as Create does). The
-- tables need no other objects: no functions, triggers, sequences or extensions.

CREATE SCHEMA IF NOT EXISTS ama;

-- One row per named store. Several stores share the tables, told apart by store_name.
CREATE TABLE IF NOT EXISTS ama.key_stores (
    store_name text PRIMARY KEY CHECK (store_name ~ '^[A-Za-z0-9._-]{1,128}$'),
    generation bigint NOT NULL,
    header bytea NOT NULL,
    mac bytea NOT NULL
);

-- One row per key name of a store, with all its versions. COLLATE "C" makes ORDER BY key_name
-- the ordinal order in which the MAC covers the records, whatever the database's collation.
CREATE TABLE IF NOT EXISTS ama.key_entries (
    store_name text NOT NULL REFERENCES ama.key_stores (store_name) ON DELETE CASCADE,
    key_name text COLLATE "C" NOT NULL,
    record bytea NOT NULL,
    PRIMARY KEY (store_name, key_name)
);

COMMENT ON TABLE ama.key_stores IS 'SecureKeyStorage: one row per named store; every column is covered by the store MAC.';
COMMENT ON COLUMN ama.key_stores.store_name IS 'Name of the store, 1 to 128 characters of A-Z a-z 0-9 . _ -. The MAC binds this name and the schema: a store renamed, or copied to another name or schema, no longer opens.';
COMMENT ON COLUMN ama.key_stores.generation IS 'Commit counter, one higher with every commit; lets writers detect a concurrent commit and readers a rollback.';
COMMENT ON COLUMN ama.key_stores.header IS 'Key store header as in the file format: store id, KDF and salt, credential commitment, wrapped data key, counters.';
COMMENT ON COLUMN ama.key_stores.mac IS 'The trailer of the file format: the whole-store MAC over the header and every entry record in key_name order (32 bytes), then a SHA-256 checksum over all of it (32 bytes).';
COMMENT ON TABLE ama.key_entries IS 'SecureKeyStorage: one row per key name of a store, with all its versions; sealed, covered by the store MAC.';
COMMENT ON COLUMN ama.key_entries.store_name IS 'Store the key belongs to; deleting the store deletes its keys.';
COMMENT ON COLUMN ama.key_entries.key_name IS 'Key name, in C collation so that ORDER BY is the ordinal order of the MAC.';
COMMENT ON COLUMN ama.key_entries.record IS 'The name''s record as in the file format: name, next version, and each version with its metadata and sealed key material.';
