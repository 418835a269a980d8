import { type Kysely, sql } from 'kysely';

/**
 * Time-deal caps MySQL enforces by itself, whatever Redis says.
 *
 * - `time_deal_units`: one row per unit of a deal product, numbered 1…deal
 *   quantity, `purchase_id` NULL while free. A purchase claims the unit
 *   numbers Redis handed it with a conditional update; two purchases can never
 *   hold the same unit, so no more units are sold than exist. Each purchase
 *   locks only its own unit rows.
 * - `time_deal_user_units`: units each user holds of a deal product, raised in
 *   the purchase transaction and capped by a CHECK against the deal's max per
 *   user; only that user's row is locked.
 *
 * Deals already ACTIVE get their units now, the earliest purchases the lowest
 * numbers. A deal that sold more than its quantity under the old scheme keeps
 * those purchases; they hold no unit and the deal counts as sold out.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE time_deal_units (
      time_deal_product_id BIGINT NOT NULL,
      unit_no              INT    NOT NULL,
      purchase_id          BIGINT NULL,
      PRIMARY KEY (time_deal_product_id, unit_no),
      KEY idx_time_deal_units_holder (time_deal_product_id, purchase_id),
      CONSTRAINT fk_time_deal_units_product FOREIGN KEY (time_deal_product_id) REFERENCES time_deal_products (id),
      CONSTRAINT fk_time_deal_units_purchase FOREIGN KEY (purchase_id) REFERENCES time_deal_purchases (id),
      CONSTRAINT ck_time_deal_units_no CHECK (unit_no >= 1)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db);

  await sql`
    CREATE TABLE time_deal_user_units (
      time_deal_product_id BIGINT       NOT NULL,
      user_id              VARCHAR(100) NOT NULL,
      units                INT          NOT NULL,
      max_units            INT          NOT NULL,
      PRIMARY KEY (time_deal_product_id, user_id),
      CONSTRAINT fk_time_deal_user_units_product FOREIGN KEY (time_deal_product_id) REFERENCES time_deal_products (id),
      CONSTRAINT ck_time_deal_user_units_cap CHECK (units >= 0 AND units <= max_units)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`.execute(db);

  const active = await sql<{ id: number; deal_quantity: number; max_per_user: number }>`
    SELECT p.id, p.deal_quantity, p.max_per_user FROM time_deal_products p
    JOIN time_deals d ON d.id = p.time_deal_id WHERE d.status = 'ACTIVE'`.execute(db);
  for (const p of active.rows) {
    for (let from = 1; from <= p.deal_quantity; from += 1000) {
      const to = Math.min(p.deal_quantity, from + 999);
      const rows = Array.from({ length: to - from + 1 }, (_, i) => sql`(${p.id}, ${from + i})`);
      await sql`INSERT INTO time_deal_units (time_deal_product_id, unit_no) VALUES ${sql.join(rows)}`.execute(db);
    }
    const purchases = await sql<{ id: number; quantity: number }>`
      SELECT id, quantity FROM time_deal_purchases
      WHERE time_deal_product_id = ${p.id} AND status = 'PURCHASED' ORDER BY id`.execute(db);
    for (const purchase of purchases.rows) {
      await sql`
        UPDATE time_deal_units SET purchase_id = ${purchase.id}
        WHERE time_deal_product_id = ${p.id} AND purchase_id IS NULL ORDER BY unit_no LIMIT ${purchase.quantity}`.execute(db);
    }
    // A user already above the cap keeps what they hold and can buy no more.
    await sql`
      INSERT INTO time_deal_user_units (time_deal_product_id, user_id, units, max_units)
      SELECT ${p.id}, user_id, SUM(quantity), GREATEST(${p.max_per_user}, SUM(quantity)) FROM time_deal_purchases
      WHERE time_deal_product_id = ${p.id} AND status = 'PURCHASED' GROUP BY user_id`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS time_deal_user_units`.execute(db);
  await sql`DROP TABLE IF EXISTS time_deal_units`.execute(db);
}
