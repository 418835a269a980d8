import type { Migration } from 'kysely';
import * as m001 from './001_catalog';
import * as m002 from './002_orders';
import * as m003 from './003_flash_sale';
import * as m004 from './004_waiting_room';
import * as m005 from './005_timedeal_units';
import * as m006 from './006_coupon_units';
import * as m007 from './007_outbox_headers';

/**
 * Every migration in order. Listed by hand (not read from disk) so the same
 * code runs under tsx, a bundler or compiled JS. Later issues append here.
 */
export const migrations: Record<string, Migration> = {
  '001_catalog': m001,
  '002_orders': m002,
  '003_flash_sale': m003,
  '004_waiting_room': m004,
  '005_timedeal_units': m005,
  '006_coupon_units': m006,
  '007_outbox_headers': m007,
};
