import { type Kysely, sql } from 'kysely';

/**
 * Outbox events carry headers beside their payload: the W3C trace context
 * (`traceparent`, `tracestate`) of the request that wrote them, handed to the
 * broker with the event so a consumer's work joins the same trace. A JSON
 * object of strings, or NULL for events written outside any request.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE outbox_events ADD COLUMN headers TEXT NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE outbox_events DROP COLUMN headers`.execute(db);
}
