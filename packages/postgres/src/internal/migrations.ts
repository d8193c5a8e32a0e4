/**
 * The versioned migrations of keyscope's schema, in order. Each is a list of SQL statements run in
 * one transaction by `migrate`, with `$schema` replaced by the quoted schema name. Never edit a
 * released migration: add the next version.
 *
 * Version 1: apps, service accounts and their grants, API keys. Accounts are implicit (an account
 * exists as soon as something names it). A key's owner is `(entity_type, entity_id)`; generated
 * columns give app and service-account keys real foreign keys, and a grant carries the account id
 * so the database itself refuses a grant across accounts. Secrets are stored only encrypted
 * (ciphertext, IV, tag, master key id). `seq` columns keep creation order for listings.
 */

/** One migration. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly statements: readonly string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'apps, service accounts, grants and encrypted api keys',
    statements: [
      `CREATE TABLE $schema.apps (
        id text PRIMARY KEY,
        account_id text NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (id, account_id)
      )`,
      'CREATE INDEX apps_account_idx ON $schema.apps (account_id, seq)',
      `CREATE TABLE $schema.service_accounts (
        id text PRIMARY KEY,
        account_id text NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (id, account_id)
      )`,
      `CREATE TABLE $schema.service_account_apps (
        service_account_id text NOT NULL,
        app_id text NOT NULL,
        account_id text NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        granted_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (service_account_id, app_id),
        FOREIGN KEY (service_account_id, account_id)
          REFERENCES $schema.service_accounts (id, account_id),
        FOREIGN KEY (app_id, account_id) REFERENCES $schema.apps (id, account_id)
      )`,
      'CREATE INDEX service_account_apps_order_idx ON $schema.service_account_apps (service_account_id, seq)',
      `CREATE TABLE $schema.api_keys (
        id text PRIMARY KEY,
        entity_type text NOT NULL CHECK (entity_type IN ('app', 'userAccount', 'serviceAccount')),
        entity_id text NOT NULL,
        display_name text,
        created_at timestamptz NOT NULL,
        expires_at timestamptz,
        revoked_at timestamptz,
        secret_ciphertext bytea NOT NULL,
        secret_iv bytea NOT NULL CHECK (octet_length(secret_iv) = 12),
        secret_tag bytea NOT NULL CHECK (octet_length(secret_tag) = 16),
        master_key_id text NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        app_id text GENERATED ALWAYS AS
          (CASE WHEN entity_type = 'app' THEN entity_id END) STORED
          REFERENCES $schema.apps (id),
        service_account_id text GENERATED ALWAYS AS
          (CASE WHEN entity_type = 'serviceAccount' THEN entity_id END) STORED
          REFERENCES $schema.service_accounts (id)
      )`,
      'CREATE INDEX api_keys_entity_idx ON $schema.api_keys (entity_type, entity_id, seq)',
      'CREATE INDEX api_keys_master_key_idx ON $schema.api_keys (master_key_id)',
    ],
  },
];

/** The schema version this build reads and writes. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;
