import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../../platform/db/tx';
import type { ProductsTable } from '../../platform/db/types';

export type ProductRow = Selectable<ProductsTable>;
export type NewProduct = Insertable<ProductsTable>;
export type ProductPatch = Updateable<ProductsTable>;

/** SQL for `products` and `product_images`. Deleted (soft) products are invisible unless asked for. */
export class ProductRepository {
  constructor(private readonly db: Executor) {}

  with(db: Executor): ProductRepository {
    return new ProductRepository(db);
  }

  findLive(id: number): Promise<ProductRow | undefined> {
    return this.db.selectFrom('products').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
  }

  /** Live products by id, in id order (what orders and deals read, whether or not listed). */
  findLiveMany(ids: number[]): Promise<ProductRow[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom('products')
      .selectAll()
      .where('id', 'in', ids)
      .where('deleted_at', 'is', null)
      .orderBy('id')
      .execute();
  }

  /** A stable page: ordered by id, so pages never overlap or skip. */
  listLive(category: string | undefined, limit: number, offset: number): Promise<ProductRow[]> {
    let q = this.db.selectFrom('products').selectAll().where('deleted_at', 'is', null);
    if (category !== undefined) q = q.where('category', '=', category);
    return q.orderBy('id').limit(limit).offset(offset).execute();
  }

  /** Live products with id > afterId in id order, at most `limit` (keyset pages for a full scan). */
  listLiveAfter(afterId: number, limit: number): Promise<ProductRow[]> {
    return this.db
      .selectFrom('products')
      .selectAll()
      .where('deleted_at', 'is', null)
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  async countLive(category: string | undefined): Promise<number> {
    let q = this.db.selectFrom('products').select((eb) => eb.fn.countAll<number>().as('n')).where('deleted_at', 'is', null);
    if (category !== undefined) q = q.where('category', '=', category);
    const row = await q.executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async insert(row: NewProduct): Promise<number> {
    const res = await this.db.insertInto('products').values(row).executeTakeFirstOrThrow();
    return Number(res.insertId);
  }

  async update(id: number, patch: ProductPatch): Promise<void> {
    await this.db.updateTable('products').set(patch).where('id', '=', id).where('deleted_at', 'is', null).execute();
  }

  /** Locks the live row (update and delete serialise on it). */
  lockLive(id: number): Promise<{ id: number } | undefined> {
    return this.db.selectFrom('products').select('id').where('id', '=', id).where('deleted_at', 'is', null).forUpdate().executeTakeFirst();
  }

  async softDelete(id: number): Promise<void> {
    await this.db.updateTable('products').set({ deleted_at: new Date() }).where('id', '=', id).where('deleted_at', 'is', null).execute();
  }

  /** Image URLs per product, in sort order. */
  async imagesOf(productIds: number[]): Promise<Map<number, string[]>> {
    const out = new Map<number, string[]>();
    if (productIds.length === 0) return out;
    const rows = await this.db
      .selectFrom('product_images')
      .select(['product_id', 'image_url'])
      .where('product_id', 'in', productIds)
      .orderBy('product_id')
      .orderBy('sort_order')
      .orderBy('id')
      .execute();
    for (const r of rows) {
      const list = out.get(r.product_id) ?? [];
      list.push(r.image_url);
      out.set(r.product_id, list);
    }
    return out;
  }

  async replaceImages(productId: number, urls: string[]): Promise<void> {
    await this.db.deleteFrom('product_images').where('product_id', '=', productId).execute();
    await this.insertImages(productId, urls);
  }

  /** For a new product: no delete first, whose gap locks would deadlock concurrent creates. */
  async insertImages(productId: number, urls: string[]): Promise<void> {
    if (urls.length === 0) return;
    await this.db
      .insertInto('product_images')
      .values(urls.map((image_url, sort_order) => ({ product_id: productId, image_url, sort_order })))
      .execute();
  }
}
