import type { ColumnType, Generated } from 'kysely';

/** DECIMAL columns: read as exact strings, written as strings or numbers. */
export type Decimal = ColumnType<string, string | number, string | number>;
/** DATETIME(3) with a database default. */
export type CreatedAt = ColumnType<Date, Date | undefined, never>;
export type UpdatedAt = ColumnType<Date, Date | undefined, Date>;

export interface UsersTable {
  id: string;
  email: string;
  password_hash: string;
  nickname: string;
  roles: string;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface ProductsTable {
  id: Generated<number>;
  name: string;
  description: string | null;
  price: Decimal;
  discount_price: ColumnType<string | null, string | number | null, string | number | null>;
  image_url: string | null;
  category: string | null;
  featured: ColumnType<number, number | boolean | undefined, number | boolean>;
  deleted_at: Date | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface ProductImagesTable {
  id: Generated<number>;
  product_id: number;
  image_url: string;
  sort_order: number;
  alt_text: string | null;
  created_at: CreatedAt;
}

export interface InventoryTable {
  id: Generated<number>;
  product_id: number;
  available_quantity: number;
  reserved_quantity: number;
  total_quantity: number;
  version: ColumnType<number, number | undefined, number>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface StockMovementsTable {
  id: Generated<number>;
  inventory_id: number;
  product_id: number;
  movement_type: string;
  quantity: number;
  previous_available: number;
  after_available: number;
  previous_reserved: number;
  after_reserved: number;
  reference_type: string | null;
  reference_id: string | null;
  reason: string | null;
  performed_by: string | null;
  created_at: CreatedAt;
}

export interface CartsTable {
  id: Generated<number>;
  user_id: string;
  status: string;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface CartItemsTable {
  id: Generated<number>;
  cart_id: number;
  product_id: number;
  product_name: string;
  price: Decimal;
  quantity: number;
  added_at: CreatedAt;
}

export interface Database {
  users: UsersTable;
  products: ProductsTable;
  product_images: ProductImagesTable;
  inventory: InventoryTable;
  stock_movements: StockMovementsTable;
  carts: CartsTable;
  cart_items: CartItemsTable;
}
