import { type Kysely, sql } from 'kysely';

/**
 * Orders and their saga, payments with the mock gateway's ledger, deliveries,
 * the event outbox with consumer bookkeeping, idempotency keys.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // Set when a cart yields its order: a cart yields at most one (cleared again if the order fails at step 1).
  await sql`ALTER TABLE carts ADD COLUMN ordered_at DATETIME(3) NULL`.execute(db);

  await sql`
    CREATE TABLE orders (
      id                     BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
      order_number           VARCHAR(30)   NOT NULL,
      user_id                VARCHAR(100)  NOT NULL,
      cart_id                BIGINT        NULL,
      status                 VARCHAR(20)   NOT NULL DEFAULT 'PENDING',
      total_amount           DECIMAL(12,2) NOT NULL,
      discount_amount        DECIMAL(12,2) NOT NULL DEFAULT 0,
      final_amount           DECIMAL(12,2) NOT NULL,
      applied_user_coupon_id BIGINT        NULL,
      receiver_name          VARCHAR(100)  NULL,
      receiver_phone         VARCHAR(20)   NULL,
      zip_code               VARCHAR(10)   NULL,
      address1               VARCHAR(255)  NULL,
      address2               VARCHAR(255)  NULL,
      cancel_reason          VARCHAR(500)  NULL,
      cancelled_at           DATETIME(3)   NULL,
      paid_at                DATETIME(3)   NULL,
      created_at             DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      updated_at             DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
      UNIQUE KEY uk_orders_number (order_number),
      KEY idx_orders_cart (cart_id),
      KEY idx_orders_user_created (user_id, created_at, id),
      KEY idx_orders_status_created (status, created_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db);

  await sql`
    CREATE TABLE order_items (
      id           BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
      order_id     BIGINT        NOT NULL,
      product_id   BIGINT        NOT NULL,
      product_name VARCHAR(255)  NOT NULL,
      price        DECIMAL(12,2) NOT NULL,
      quantity     INT           NOT NULL,
      subtotal     DECIMAL(12,2) NOT NULL,
      KEY idx_order_items_order (order_id),
      KEY idx_order_items_product (product_id),
      CONSTRAINT fk_order_items_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db);

  await sql`
    CREATE TABLE saga_states (
      id                    BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
      saga_id               VARCHAR(50)   NOT NULL,
      order_id              BIGINT        NOT NULL,
      order_number          VARCHAR(30)   NOT NULL,
      current_step          VARCHAR(30)   NOT NULL,
      status                VARCHAR(30)   NOT NULL DEFAULT 'STARTED',
      completed_steps       VARCHAR(500)  NOT NULL DEFAULT '',
      last_error_message    VARCHAR(1000) NULL,
      compensation_attempts INT           NOT NULL DEFAULT 0,
      started_at            DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      updated_at            DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
      completed_at          DATETIME(3)   NULL,
      UNIQUE KEY uk_saga_states_saga (saga_id),
      UNIQUE KEY uk_saga_states_order (order_id),
      KEY idx_saga_states_status (status, updated_at),
      CONSTRAINT fk_saga_states_order FOREIGN KEY (order_id) REFERENCES orders (id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db);

  await sql`
    CREATE TABLE payments (
      id                BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
      payment_number    VARCHAR(30)   NOT NULL,
      order_id          BIGINT        NOT NULL,
      order_number      VARCHAR(30)   NOT NULL,
      user_id           VARCHAR(100)  NOT NULL,
      amount            DECIMAL(12,2) NOT NULL,
      status            VARCHAR(20)   NOT NULL DEFAULT 'PENDING',
      payment_method    VARCHAR(30)   NOT NULL,
      gateway_key       VARCHAR(64)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      pg_transaction_id VARCHAR(100)  NULL,
      pg_response       TEXT          NULL,
      failure_reason    VARCHAR(500)  NULL,
      paid_at           DATETIME(3)   NULL,
      refunded_at       DATETIME(3)   NULL,
      created_at        DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      updated_at        DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
      live_order_id     BIGINT        AS (IF(status IN ('FAILED', 'CANCELLED'), NULL, order_id)) PERSISTENT,
      UNIQUE KEY uk_payments_number (payment_number),
      UNIQUE KEY uk_payments_gateway_key (gateway_key),
      UNIQUE KEY uk_payments_live_order (live_order_id),
      KEY idx_payments_order (order_id),
      KEY idx_payments_status (status, updated_at),
      CONSTRAINT fk_payments_order FOREIGN KEY (order_id) REFERENCES orders (id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db);

  await sql`
    CREATE TABLE pg_transactions (
      id              BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
      transaction_id  VARCHAR(40)   NOT NULL,
      idempotency_key VARCHAR(64)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      amount          DECIMAL(12,2) NOT NULL,
      method          VARCHAR(30)   NOT NULL,
      status          VARCHAR(20)   NOT NULL,
      failure_code    VARCHAR(40)   NULL,
      refund_id       VARCHAR(40)   NULL,
      refunded_amount DECIMAL(12,2) NULL,
      created_at      DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      updated_at      DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
      UNIQUE KEY uk_pg_transactions_tx (transaction_id),
      UNIQUE KEY uk_pg_transactions_key (idempotency_key)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db);

  await sql`
    CREATE TABLE deliveries (
      id                      BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
      tracking_number         VARCHAR(30)  NOT NULL,
      order_id                BIGINT       NOT NULL,
      order_number            VARCHAR(30)  NOT NULL,
      user_id                 VARCHAR(100) NOT NULL,
      status                  VARCHAR(20)  NOT NULL DEFAULT 'PREPARING',
      carrier                 VARCHAR(50)  NOT NULL,
      receiver_name           VARCHAR(100) NULL,
      receiver_phone          VARCHAR(20)  NULL,
      zip_code                VARCHAR(10)  NULL,
      address1                VARCHAR(255) NULL,
      address2                VARCHAR(255) NULL,
      estimated_delivery_date DATE         NULL,
      actual_delivery_date    DATE         NULL,
      created_at              DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      updated_at              DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
      UNIQUE KEY uk_deliveries_tracking (tracking_number),
      UNIQUE KEY uk_deliveries_order (order_id),
      KEY idx_deliveries_order_number (order_number),
      KEY idx_deliveries_status (status),
      CONSTRAINT fk_deliveries_order FOREIGN KEY (order_id) REFERENCES orders (id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db);

  await sql`
    CREATE TABLE delivery_histories (
      id          BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
      delivery_id BIGINT       NOT NULL,
      status      VARCHAR(20)  NOT NULL,
      location    VARCHAR(255) NULL,
      description VARCHAR(500) NULL,
      created_at  DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      KEY idx_delivery_histories_delivery (delivery_id, created_at),
      CONSTRAINT fk_delivery_histories_delivery FOREIGN KEY (delivery_id) REFERENCES deliveries (id) ON DELETE CASCADE
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db);

  await sql`
    CREATE TABLE outbox_events (
      id              BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
      event_id        CHAR(36)     NOT NULL,
      topic           VARCHAR(100) NOT NULL,
      event_key       VARCHAR(100) NOT NULL,
      payload         LONGTEXT     NOT NULL,
      occurred_at     DATETIME(3)  NOT NULL,
      sent_at         DATETIME(3)  NULL,
      attempts        INT          NOT NULL DEFAULT 0,
      next_attempt_at DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      last_error      VARCHAR(500) NULL,
      UNIQUE KEY uk_outbox_events_event (event_id),
      KEY idx_outbox_events_pending (sent_at, next_attempt_at, id),
      KEY idx_outbox_events_sent (sent_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db);

  await sql`
    CREATE TABLE processed_events (
      consumer     VARCHAR(50) NOT NULL,
      event_id     CHAR(36)    NOT NULL,
      processed_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      PRIMARY KEY (consumer, event_id),
      KEY idx_processed_events_at (processed_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db);

  await sql`
    CREATE TABLE notifications (
      id         BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
      user_id    VARCHAR(100) NOT NULL,
      type       VARCHAR(50)  NOT NULL,
      title      VARCHAR(200) NOT NULL,
      message    VARCHAR(1000) NOT NULL,
      event_id   CHAR(36)     NOT NULL,
      created_at DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      UNIQUE KEY uk_notifications_event (event_id),
      KEY idx_notifications_user (user_id, id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db);

  await sql`
    CREATE TABLE analytics_daily (
      date            DATE          NOT NULL PRIMARY KEY,
      orders          INT           NOT NULL DEFAULT 0,
      revenue         DECIMAL(16,2) NOT NULL DEFAULT 0,
      refunds         INT           NOT NULL DEFAULT 0,
      failed_payments INT           NOT NULL DEFAULT 0,
      coupons_issued  INT           NOT NULL DEFAULT 0,
      deals_started   INT           NOT NULL DEFAULT 0
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db);

  await sql`
    CREATE TABLE idempotency_keys (
      id              BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
      scope           VARCHAR(50)  NOT NULL,
      user_id         VARCHAR(100) NOT NULL,
      idem_key        VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      request_hash    CHAR(64)     NOT NULL,
      status          VARCHAR(20)  NOT NULL DEFAULT 'IN_PROGRESS',
      response_status INT          NULL,
      response_body   LONGTEXT     NULL,
      created_at      DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      expires_at      DATETIME(3)  NOT NULL,
      UNIQUE KEY uk_idempotency_keys (scope, user_id, idem_key),
      KEY idx_idempotency_keys_expires (expires_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'idempotency_keys', 'analytics_daily', 'notifications', 'processed_events', 'outbox_events', 'delivery_histories',
    'deliveries', 'pg_transactions', 'payments', 'saga_states', 'order_items', 'orders',
  ]) {
    await sql`DROP TABLE IF EXISTS ${sql.table(table)}`.execute(db);
  }
  await sql`ALTER TABLE carts DROP COLUMN ordered_at`.execute(db);
}
