import { type Kysely, sql } from 'kysely';

/**
 * Users, catalog, inventory and carts. Times are DATETIME(3) in UTC.
 * "One live X per Y" rules are unique keys on generated columns that are NULL
 * when the row is not live (MariaDB has no partial indexes).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE users (
      id            CHAR(36)     NOT NULL PRIMARY KEY,
      email         VARCHAR(255) NOT NULL,
      password_hash VARCHAR(255) NOT NULL,
      nickname      VARCHAR(100) NOT NULL,
      roles         VARCHAR(255) NOT NULL DEFAULT 'ROLE_USER',
      created_at    DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      updated_at    DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
      UNIQUE KEY uk_users_email (email)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db);

  await sql`
    CREATE TABLE products (
      id             BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
      name           VARCHAR(255)  NOT NULL,
      description    TEXT          NULL,
      price          DECIMAL(19,2) NOT NULL,
      discount_price DECIMAL(19,2) NULL,
      image_url      VARCHAR(500)  NULL,
      category       VARCHAR(100)  NULL,
      featured       TINYINT(1)    NOT NULL DEFAULT 0,
      deleted_at     DATETIME(3)   NULL,
      created_at     DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      updated_at     DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
      live_name      VARCHAR(255)  AS (IF(deleted_at IS NULL, name, NULL)) PERSISTENT,
      UNIQUE KEY uk_products_live_name (live_name),
      KEY idx_products_live (deleted_at, id),
      KEY idx_products_live_category (deleted_at, category, id),
      CONSTRAINT ck_products_price CHECK (price > 0),
      CONSTRAINT ck_products_discount CHECK (discount_price IS NULL OR discount_price >= 0)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db);

  await sql`
    CREATE TABLE product_images (
      id         BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
      product_id BIGINT       NOT NULL,
      image_url  VARCHAR(500) NOT NULL,
      sort_order INT          NOT NULL DEFAULT 0,
      alt_text   VARCHAR(255) NULL,
      created_at DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      KEY idx_product_images_order (product_id, sort_order),
      CONSTRAINT fk_product_images_product FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE CASCADE
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db);

  await sql`
    CREATE TABLE inventory (
      id                 BIGINT      NOT NULL AUTO_INCREMENT PRIMARY KEY,
      product_id         BIGINT      NOT NULL,
      available_quantity INT         NOT NULL DEFAULT 0,
      reserved_quantity  INT         NOT NULL DEFAULT 0,
      total_quantity     INT         NOT NULL DEFAULT 0,
      version            BIGINT      NOT NULL DEFAULT 0,
      created_at         DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      updated_at         DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
      UNIQUE KEY uk_inventory_product (product_id),
      CONSTRAINT fk_inventory_product FOREIGN KEY (product_id) REFERENCES products (id),
      CONSTRAINT ck_inventory_available CHECK (available_quantity >= 0),
      CONSTRAINT ck_inventory_reserved CHECK (reserved_quantity >= 0),
      CONSTRAINT ck_inventory_total CHECK (total_quantity = available_quantity + reserved_quantity)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db);

  await sql`
    CREATE TABLE stock_movements (
      id                 BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
      inventory_id       BIGINT       NOT NULL,
      product_id         BIGINT       NOT NULL,
      movement_type      VARCHAR(20)  NOT NULL,
      quantity           INT          NOT NULL,
      previous_available INT          NOT NULL,
      after_available    INT          NOT NULL,
      previous_reserved  INT          NOT NULL,
      after_reserved     INT          NOT NULL,
      reference_type     VARCHAR(50)  NULL,
      reference_id       VARCHAR(100) NULL,
      reason             VARCHAR(500) NULL,
      performed_by       VARCHAR(100) NULL,
      created_at         DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      KEY idx_stock_movements_product (product_id, id),
      KEY idx_stock_movements_reference (reference_type, reference_id),
      KEY idx_stock_movements_created (created_at),
      CONSTRAINT fk_stock_movements_inventory FOREIGN KEY (inventory_id) REFERENCES inventory (id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db);

  await sql`
    CREATE TABLE carts (
      id          BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
      user_id     VARCHAR(100) NOT NULL,
      status      VARCHAR(20)  NOT NULL DEFAULT 'ACTIVE',
      created_at  DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      updated_at  DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
      active_user VARCHAR(100) AS (IF(status = 'ACTIVE', user_id, NULL)) PERSISTENT,
      UNIQUE KEY uk_carts_active_user (active_user),
      KEY idx_carts_user_status (user_id, status, id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db);

  await sql`
    CREATE TABLE cart_items (
      id           BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
      cart_id      BIGINT        NOT NULL,
      product_id   BIGINT        NOT NULL,
      product_name VARCHAR(255)  NOT NULL,
      price        DECIMAL(12,2) NOT NULL,
      quantity     INT           NOT NULL,
      added_at     DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      UNIQUE KEY uk_cart_items_product (cart_id, product_id),
      KEY idx_cart_items_product (product_id),
      CONSTRAINT fk_cart_items_cart FOREIGN KEY (cart_id) REFERENCES carts (id) ON DELETE CASCADE,
      CONSTRAINT ck_cart_items_quantity CHECK (quantity > 0)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['cart_items', 'carts', 'stock_movements', 'inventory', 'product_images', 'products', 'users']) {
    await sql`DROP TABLE IF EXISTS ${sql.table(table)}`.execute(db);
  }
}
