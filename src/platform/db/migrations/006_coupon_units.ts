import { type Kysely, sql } from 'kysely';

/**
 * Coupon units: every issued coupon holds one numbered unit of its coupon, and
 * no two hold the same one (UNIQUE(coupon_id, unit_no)); the issue path only
 * inserts numbers from 1 to the coupon's total, which never changes. With the
 * one-coupon-per-user key beside it, MySQL alone refuses over-issue and double
 * issue, whatever Redis says — without a counter row every issuance would lock.
 *
 * Rows issued before this migration are numbered 1, 2, … per coupon in the
 * order they were issued.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE user_coupons ADD COLUMN unit_no INT NULL AFTER coupon_id`.execute(db);
  await sql`
    UPDATE user_coupons uc
    JOIN (
      SELECT id, ROW_NUMBER() OVER (PARTITION BY coupon_id ORDER BY issued_at, id) AS n FROM user_coupons
    ) numbered ON numbered.id = uc.id
    SET uc.unit_no = numbered.n`.execute(db);
  // The unique key also serves the foreign key on coupon_id, so the plain coupon_id index goes.
  await sql`
    ALTER TABLE user_coupons
      MODIFY unit_no INT NOT NULL,
      ADD UNIQUE KEY uk_user_coupons_unit (coupon_id, unit_no),
      ADD CONSTRAINT ck_user_coupons_unit CHECK (unit_no >= 1),
      DROP INDEX idx_user_coupons_coupon`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE user_coupons
      ADD KEY idx_user_coupons_coupon (coupon_id),
      DROP CONSTRAINT ck_user_coupons_unit`.execute(db);
  await sql`ALTER TABLE user_coupons DROP INDEX uk_user_coupons_unit, DROP COLUMN unit_no`.execute(db);
}
