import { type Kysely, sql } from 'kysely';

/**
 * Waiting rooms. Redis holds the live line (sorted sets); these rows are the
 * truth for who entered when, and what a restart repairs the line from.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE waiting_queues (
      id                     BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
      event_type             VARCHAR(50)  CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
      event_id               BIGINT       NOT NULL,
      max_capacity           INT          NOT NULL,
      entry_batch_size       INT          NOT NULL,
      entry_interval_seconds INT          NOT NULL,
      entry_ttl_seconds      INT          NOT NULL DEFAULT 600,
      is_active              TINYINT(1)   NOT NULL DEFAULT 0,
      created_at             DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      activated_at           DATETIME(3)  NULL,
      deactivated_at         DATETIME(3)  NULL,
      UNIQUE KEY uk_waiting_queues_event (event_type, event_id),
      KEY idx_waiting_queues_active (is_active),
      CONSTRAINT ck_waiting_queues_sizes CHECK (max_capacity > 0 AND entry_batch_size > 0 AND entry_interval_seconds > 0 AND entry_ttl_seconds > 0)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db);

  await sql`
    CREATE TABLE queue_entries (
      id          BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
      queue_id    BIGINT       NOT NULL,
      user_id     VARCHAR(100) NOT NULL,
      entry_token CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      status      VARCHAR(20)  NOT NULL DEFAULT 'WAITING',
      joined_at   DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      entered_at  DATETIME(3)  NULL,
      expires_at  DATETIME(3)  NULL,
      expired_at  DATETIME(3)  NULL,
      left_at     DATETIME(3)  NULL,
      live_user   VARCHAR(100) AS (IF(status IN ('WAITING', 'ENTERED'), user_id, NULL)) PERSISTENT,
      UNIQUE KEY uk_queue_entries_token (entry_token),
      UNIQUE KEY uk_queue_entries_live_user (queue_id, live_user),
      KEY idx_queue_entries_queue_status (queue_id, status, id),
      CONSTRAINT fk_queue_entries_queue FOREIGN KEY (queue_id) REFERENCES waiting_queues (id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS queue_entries`.execute(db);
  await sql`DROP TABLE IF EXISTS waiting_queues`.execute(db);
}
