import { type Kysely, sql } from 'kysely';

/**
 * First-come coupons and time deals. Redis holds the hot counters; these rows
 * are the truth they are rebuilt from. Issued and sold quantities are derived
 * from the rows (no counter column every request of a spike would lock).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE coupons (
      id                      BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
      code                    VARCHAR(50)   NOT NULL,
      name                    VARCHAR(100)  NOT NULL,
      description             TEXT          NULL,
      discount_type           VARCHAR(20)   NOT NULL,
      discount_value          DECIMAL(12,2) NOT NULL,
      minimum_order_amount    DECIMAL(12,2) NULL,
      maximum_discount_amount DECIMAL(12,2) NULL,
      total_quantity          INT           NOT NULL,
      status                  VARCHAR(20)   NOT NULL DEFAULT 'ACTIVE',
      starts_at               DATETIME(3)   NOT NULL,
      expires_at              DATETIME(3)   NOT NULL,
      created_at              DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      updated_at              DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
      UNIQUE KEY uk_coupons_code (code),
      KEY idx_coupons_status_expires (status, expires_at),
      CONSTRAINT ck_coupons_quantity CHECK (total_quantity > 0)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db);

  await sql`
    CREATE TABLE user_coupons (
      id         BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
      user_id    VARCHAR(100) NOT NULL,
      coupon_id  BIGINT       NOT NULL,
      status     VARCHAR(20)  NOT NULL DEFAULT 'AVAILABLE',
      order_id   BIGINT       NULL,
      issued_at  DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      used_at    DATETIME(3)  NULL,
      expires_at DATETIME(3)  NOT NULL,
      UNIQUE KEY uk_user_coupon (user_id, coupon_id),
      KEY idx_user_coupons_coupon (coupon_id),
      KEY idx_user_coupons_user_status (user_id, status),
      KEY idx_user_coupons_order (order_id),
      KEY idx_user_coupons_expires (status, expires_at),
      CONSTRAINT fk_user_coupons_coupon FOREIGN KEY (coupon_id) REFERENCES coupons (id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db);

  await sql`
    CREATE TABLE time_deals (
      id          BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
      name        VARCHAR(100) NOT NULL,
      description TEXT         NULL,
      status      VARCHAR(20)  NOT NULL DEFAULT 'SCHEDULED',
      starts_at   DATETIME(3)  NOT NULL,
      ends_at     DATETIME(3)  NOT NULL,
      created_at  DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      updated_at  DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
      KEY idx_time_deals_status_starts (status, starts_at),
      KEY idx_time_deals_status_ends (status, ends_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db);

  await sql`
    CREATE TABLE time_deal_products (
      id            BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
      time_deal_id  BIGINT        NOT NULL,
      product_id    BIGINT        NOT NULL,
      deal_price    DECIMAL(12,2) NOT NULL,
      deal_quantity INT           NOT NULL,
      max_per_user  INT           NOT NULL DEFAULT 1,
      KEY idx_time_deal_products_deal (time_deal_id),
      KEY idx_time_deal_products_product (product_id),
      CONSTRAINT fk_time_deal_products_deal FOREIGN KEY (time_deal_id) REFERENCES time_deals (id),
      CONSTRAINT fk_time_deal_products_product FOREIGN KEY (product_id) REFERENCES products (id),
      CONSTRAINT ck_time_deal_products_quantity CHECK (deal_quantity > 0 AND max_per_user > 0)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db);

  await sql`
    CREATE TABLE time_deal_purchases (
      id                   BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
      user_id              VARCHAR(100)  NOT NULL,
      time_deal_product_id BIGINT        NOT NULL,
      quantity             INT           NOT NULL,
      purchase_price       DECIMAL(12,2) NOT NULL,
      order_id             BIGINT        NULL,
      status               VARCHAR(20)   NOT NULL DEFAULT 'PURCHASED',
      purchased_at         DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      returned_at          DATETIME(3)   NULL,
      KEY idx_time_deal_purchases_product_status (time_deal_product_id, status),
      KEY idx_time_deal_purchases_user (user_id, time_deal_product_id),
      KEY idx_time_deal_purchases_order (order_id),
      CONSTRAINT fk_time_deal_purchases_product FOREIGN KEY (time_deal_product_id) REFERENCES time_deal_products (id),
      CONSTRAINT ck_time_deal_purchases_quantity CHECK (quantity > 0)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db);

  // Where an order came from: a cart, or a time-deal purchase (whose units the deal already holds).
  await sql`ALTER TABLE orders ADD COLUMN source VARCHAR(20) NOT NULL DEFAULT 'CART'`.execute(db);
  await sql`ALTER TABLE orders ADD CONSTRAINT fk_orders_user_coupon FOREIGN KEY (applied_user_coupon_id) REFERENCES user_coupons (id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE orders DROP FOREIGN KEY fk_orders_user_coupon`.execute(db);
  // InnoDB made an index for the foreign key (named after it); it stays unless dropped too.
  await sql`ALTER TABLE orders DROP INDEX fk_orders_user_coupon`.execute(db);
  await sql`ALTER TABLE orders DROP COLUMN source`.execute(db);
  for (const table of ['time_deal_purchases', 'time_deal_products', 'time_deals', 'user_coupons', 'coupons']) {
    await sql`DROP TABLE IF EXISTS ${sql.table(table)}`.execute(db);
  }
}
