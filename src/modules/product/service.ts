import type { Db } from '../../platform/db/index';
import { isDuplicateKey } from '../../platform/db/index';
import { inTransaction, type Tx } from '../../platform/db/tx';
import { emit, Topics } from '../../platform/events/outbox';
import { fail } from '../../platform/http/errors';
import { trimmedOrNull } from '../../platform/http/schema';
import { pageRequest, toPage, type Page } from '../../platform/http/pagination';
import { decimalToWire, toDecimal, toMinor } from '../../platform/money';
import { TtlCache } from '../../platform/cache';
import type { InventoryService } from '../inventory/service';
import { ProductRepository, type ProductRow } from './repository';
import type { AdminProductRequest, ProductResponse, ProductSnapshot, ProductWithReviewsResponse } from './schemas';

export type ProductInput = AdminProductRequest;

/** What the search index holds of a live product (`stock` = inventory available, `price` in won). */
export interface ProductSearchRow {
  id: number;
  name: string;
  description: string | null;
  price: number;
  stock: number;
  createdAt: Date;
}

/** Catalog rows with their image URLs, as cached. */
interface CatalogRow {
  row: ProductRow;
  images: string[];
}

/**
 * The catalog. A product's `stock` is always its inventory's available
 * quantity (asked of the inventory service, never a column of its own);
 * deleting is soft, so orders and deals that name a product keep working.
 *
 * Every storefront visit reads the catalog, which changes rarely: product
 * rows and images are kept in memory for `cacheTtlMs` (cleared by every write
 * here), while stock is read live on every request.
 */
export class ProductService {
  private readonly repo: ProductRepository;
  private readonly pages: TtlCache<string, { items: CatalogRow[]; total: number }>;
  private readonly items: TtlCache<number, CatalogRow | null>;

  constructor(
    private readonly db: Db,
    private readonly inventory: InventoryService,
    cacheTtlMs = 0,
  ) {
    this.repo = new ProductRepository(db);
    this.pages = new TtlCache(cacheTtlMs, 500);
    this.items = new TtlCache(cacheTtlMs, 5000);
  }

  async list(query: { page?: number; size?: number; category?: string }): Promise<Page<ProductResponse>> {
    const page = pageRequest(query.page, query.size, 12);
    const { items, total } = await this.pages.getOrLoad(`${query.category ?? ''}|${page.page}|${page.size}`, async () => {
      const [rows, count] = await Promise.all([
        this.repo.listLive(query.category, page.size, page.offset),
        this.repo.countLive(query.category),
      ]);
      return { items: await this.withImages(rows), total: count };
    });
    return toPage(await this.present(items), total, page);
  }

  async get(id: number): Promise<ProductResponse> {
    const item = await this.catalogRow(id);
    if (!item) throw fail('PRODUCT_NOT_FOUND');
    const [product] = await this.present([item]);
    return product;
  }

  /** Reviews come from no service here: always `[]`. */
  async getWithReviews(id: number): Promise<ProductWithReviewsResponse> {
    const p = await this.get(id);
    return {
      id: p.id,
      name: p.name,
      description: p.description,
      price: p.price,
      stock: p.stock,
      imageUrl: p.imageUrl,
      category: p.category,
      reviews: [],
    };
  }

  /** What a live product's drawn picture is made of (`images.ts`); null for no such product. */
  async imageSource(id: number): Promise<{ name: string; category: string | null } | null> {
    const item = await this.catalogRow(id);
    return item ? { name: item.row.name, category: item.row.category } : null;
  }

  /** A live product's row and images, through the cache. */
  private catalogRow(id: number): Promise<CatalogRow | null> {
    return this.items.getOrLoad(id, async () => {
      const row = await this.repo.findLive(id);
      return row ? (await this.withImages([row]))[0] : null;
    });
  }

  /** Name and price of a live product, for carts and orders; S001 otherwise. */
  async getSnapshot(id: number): Promise<ProductSnapshot> {
    const row = await this.live(id);
    return { id: row.id, name: row.name, price: toMinor(row.price) };
  }

  /** Creates the product and its inventory row (available = stock) in one transaction. S008 on a taken name. */
  async create(input: ProductInput, actor?: string): Promise<ProductResponse> {
    const values = checkInput(input);
    const item = await inTransaction(this.db, async (trx) => {
      const repo = this.repo.with(trx);
      const productId = await repo.insert(values).catch(duplicateName);
      if (input.images) await repo.insertImages(productId, input.images);
      await this.inventory.createForProduct(trx, productId, input.stock, actor);
      await announce(trx, productId, 'CREATED');
      return this.readLive(repo, productId);
    });
    this.forget();
    const [product] = await this.present([item], new Map([[item.row.id, input.stock]]));
    return product;
  }

  /** Replaces the product's fields; a changed `stock` becomes an ADJUSTMENT of the inventory. */
  async update(id: number, input: ProductInput, actor?: string): Promise<ProductResponse> {
    const values = checkInput(input);
    const item = await inTransaction(this.db, async (trx) => {
      const repo = this.repo.with(trx);
      if (!(await repo.lockLive(id))) throw fail('PRODUCT_NOT_FOUND');
      await repo.update(id, values).catch(duplicateName);
      if (input.images) await repo.replaceImages(id, input.images);
      await this.inventory.adjust(trx, id, input.stock, { actor, reason: 'product update' });
      await announce(trx, id, 'UPDATED');
      return this.readLive(repo, id);
    });
    this.forget();
    const [product] = await this.present([item], new Map([[id, input.stock]]));
    return product;
  }

  /**
   * Replaces a live product's pictures only (main image and gallery), leaving
   * its other fields and its stock alone — how pictures are attached once the
   * product's id, which names them, is known. S001 when not live.
   */
  async setImages(id: number, imageUrl: string | null, images: string[]): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const repo = this.repo.with(trx);
      if (!(await repo.lockLive(id))) throw fail('PRODUCT_NOT_FOUND');
      await repo.update(id, { image_url: trimmedOrNull(imageUrl) });
      await repo.replaceImages(id, images);
      await announce(trx, id, 'UPDATED');
    });
    this.forget();
  }

  async setStock(id: number, stock: number, actor?: string): Promise<ProductResponse> {
    const item = await inTransaction(this.db, async (trx) => {
      const repo = this.repo.with(trx);
      if (!(await repo.lockLive(id))) throw fail('PRODUCT_NOT_FOUND');
      await this.inventory.adjust(trx, id, stock, { actor, reason: 'stock update' });
      return this.readLive(repo, id);
    });
    const [product] = await this.present([item], new Map([[id, stock]]));
    return product;
  }

  /** The product as written, read inside the writing transaction: once it commits, no read can turn the change into an error. */
  private async readLive(repo: ProductRepository, id: number): Promise<CatalogRow> {
    const [item] = await this.withImages([(await repo.findLive(id))!], repo);
    return item;
  }

  async delete(id: number): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const repo = this.repo.with(trx);
      if (!(await repo.lockLive(id))) throw fail('PRODUCT_NOT_FOUND');
      await repo.softDelete(id);
      await announce(trx, id, 'DELETED');
    });
    this.forget();
  }

  /** Drops what this instance cached of the catalog (after any write to it). */
  private forget(): void {
    this.pages.clear();
    this.items.clear();
  }

  /** Live products with id > afterId (id order, at most `limit`), with stock: keyset pages for building the search index. */
  async liveAfterForSearch(afterId: number, limit: number): Promise<ProductSearchRow[]> {
    return this.forSearch(await this.repo.listLiveAfter(afterId, limit));
  }

  /** The live products among `ids` (id order), with stock; deleted or unknown ids are left out. */
  async liveByIdsForSearch(ids: number[]): Promise<ProductSearchRow[]> {
    return this.forSearch(await this.repo.findLiveMany([...new Set(ids)]));
  }

  private async forSearch(rows: ProductRow[]): Promise<ProductSearchRow[]> {
    const stock = await this.inventory.availableFor(rows.map((r) => r.id));
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      description: r.description,
      price: decimalToWire(r.price),
      stock: stock.get(r.id) ?? 0,
      createdAt: r.created_at,
    }));
  }

  private async live(id: number): Promise<ProductRow> {
    const row = await this.repo.findLive(id);
    if (!row) throw fail('PRODUCT_NOT_FOUND');
    return row;
  }

  private async withImages(rows: ProductRow[], repo = this.repo): Promise<CatalogRow[]> {
    const images = await repo.imagesOf(rows.map((r) => r.id));
    return rows.map((row) => ({ row, images: images.get(row.id) ?? [] }));
  }

  /** The response, with stock read live (unless the caller knows it). */
  private async present(items: CatalogRow[], known?: Map<number, number>): Promise<ProductResponse[]> {
    const stock = known ?? (await this.inventory.availableFor(items.map((i) => i.row.id)));
    return items.map(({ row: r, images }) => ({
      id: r.id,
      name: r.name,
      description: r.description,
      price: decimalToWire(r.price),
      discountPrice: r.discount_price === null ? null : decimalToWire(r.discount_price),
      stock: stock.get(r.id) ?? 0,
      imageUrl: r.image_url,
      category: r.category,
      featured: Boolean(r.featured),
      images,
      averageRating: null,
      reviewCount: null,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
  }

}

/** `shopping.product.changed` (feeds the search index), in the change's own transaction. */
function announce(trx: Tx, productId: number, change: 'CREATED' | 'UPDATED' | 'DELETED') {
  return emit(trx, Topics.PRODUCT_CHANGED, String(productId), { productId, change });
}

function duplicateName(err: unknown): never {
  if (isDuplicateKey(err, 'uk_products_live_name')) throw fail('PRODUCT_NAME_ALREADY_EXISTS');
  throw err;
}

function hasAtMostTwoDecimals(value: number): boolean {
  return Math.abs(value * 100 - Math.round(value * 100)) < 1e-6;
}

/** Rules the schema can't say: cents only, discount not above the price. */
function checkInput(input: ProductInput) {
  const details = [];
  if (!hasAtMostTwoDecimals(input.price)) {
    details.push({ field: 'price', message: 'Product price may have at most 2 decimal places', rejectedValue: input.price });
  }
  const discount = input.discountPrice ?? null;
  if (discount !== null && !hasAtMostTwoDecimals(discount)) {
    details.push({ field: 'discountPrice', message: 'Discount price may have at most 2 decimal places', rejectedValue: discount });
  } else if (discount !== null && discount > input.price) {
    details.push({ field: 'discountPrice', message: 'Discount price must not exceed the price', rejectedValue: discount });
  }
  if (details.length > 0) throw fail('INVALID_INPUT_VALUE', details);
  return {
    name: input.name.trim(),
    description: trimmedOrNull(input.description),
    price: toDecimal(toMinor(input.price)),
    discount_price: discount === null ? null : toDecimal(toMinor(discount)),
    image_url: trimmedOrNull(input.imageUrl),
    category: trimmedOrNull(input.category),
    featured: input.featured ?? false,
  };
}
