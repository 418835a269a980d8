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
  ordered_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
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

export interface OrdersTable {
  id: Generated<number>;
  order_number: string;
  user_id: string;
  cart_id: number | null;
  status: string;
  total_amount: Decimal;
  discount_amount: ColumnType<string, string | number | undefined, string | number>;
  final_amount: Decimal;
  applied_user_coupon_id: number | null;
  receiver_name: string | null;
  receiver_phone: string | null;
  zip_code: string | null;
  address1: string | null;
  address2: string | null;
  cancel_reason: string | null;
  cancelled_at: Date | null;
  paid_at: Date | null;
  /** CART or TIME_DEAL. */
  source: ColumnType<string, string | undefined, string>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface OrderItemsTable {
  id: Generated<number>;
  order_id: number;
  product_id: number;
  product_name: string;
  price: Decimal;
  quantity: number;
  subtotal: Decimal;
}

export interface SagaStatesTable {
  id: Generated<number>;
  saga_id: string;
  order_id: number;
  order_number: string;
  current_step: string;
  status: string;
  completed_steps: ColumnType<string, string | undefined, string>;
  last_error_message: string | null;
  compensation_attempts: ColumnType<number, number | undefined, number>;
  started_at: CreatedAt;
  updated_at: UpdatedAt;
  completed_at: Date | null;
}

export interface PaymentsTable {
  id: Generated<number>;
  payment_number: string;
  order_id: number;
  order_number: string;
  user_id: string;
  amount: Decimal;
  status: string;
  payment_method: string;
  /** The idempotency key the gateway knows this payment by (settles PROCESSING payments after a crash). */
  gateway_key: string;
  pg_transaction_id: string | null;
  pg_response: string | null;
  failure_reason: string | null;
  paid_at: Date | null;
  refunded_at: Date | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface PgTransactionsTable {
  id: Generated<number>;
  transaction_id: string;
  idempotency_key: string;
  amount: Decimal;
  method: string;
  status: string;
  failure_code: string | null;
  refund_id: string | null;
  refunded_amount: ColumnType<string | null, string | number | null, string | number | null>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface DeliveriesTable {
  id: Generated<number>;
  tracking_number: string;
  order_id: number;
  order_number: string;
  user_id: string;
  status: string;
  carrier: string;
  receiver_name: string | null;
  receiver_phone: string | null;
  zip_code: string | null;
  address1: string | null;
  address2: string | null;
  /** DATE columns, read as 'YYYY-MM-DD' strings. */
  estimated_delivery_date: ColumnType<string | null, string | null, string | null>;
  actual_delivery_date: ColumnType<string | null, string | null, string | null>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface DeliveryHistoriesTable {
  id: Generated<number>;
  delivery_id: number;
  status: string;
  location: string | null;
  description: string | null;
  created_at: CreatedAt;
}

export interface OutboxEventsTable {
  id: Generated<number>;
  event_id: string;
  topic: string;
  event_key: string;
  payload: string;
  /** JSON object of strings (the W3C trace context), or NULL. */
  headers: ColumnType<string | null, string | null | undefined, string | null>;
  occurred_at: Date;
  sent_at: Date | null;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: ColumnType<Date, Date | undefined, Date>;
  last_error: string | null;
}

export interface ProcessedEventsTable {
  consumer: string;
  event_id: string;
  processed_at: CreatedAt;
}

export interface NotificationsTable {
  id: Generated<number>;
  user_id: string;
  type: string;
  title: string;
  message: string;
  event_id: string;
  created_at: CreatedAt;
}

export interface AnalyticsDailyTable {
  /** DATE, read as 'YYYY-MM-DD'. */
  date: string;
  orders: ColumnType<number, number | undefined, number>;
  revenue: Decimal;
  refunds: ColumnType<number, number | undefined, number>;
  failed_payments: ColumnType<number, number | undefined, number>;
  coupons_issued: ColumnType<number, number | undefined, number>;
  deals_started: ColumnType<number, number | undefined, number>;
}

export interface IdempotencyKeysTable {
  id: Generated<number>;
  scope: string;
  user_id: string;
  idem_key: string;
  request_hash: string;
  status: string;
  response_status: number | null;
  response_body: string | null;
  created_at: CreatedAt;
  expires_at: Date;
}

export interface CouponsTable {
  id: Generated<number>;
  code: string;
  name: string;
  description: string | null;
  discount_type: string;
  discount_value: Decimal;
  minimum_order_amount: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  maximum_discount_amount: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  total_quantity: number;
  status: ColumnType<string, string | undefined, string>;
  starts_at: Date;
  expires_at: Date;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface UserCouponsTable {
  id: Generated<number>;
  user_id: string;
  coupon_id: number;
  /** The coupon's unit this row holds: 1…total, unique per coupon. */
  unit_no: number;
  status: ColumnType<string, string | undefined, string>;
  order_id: number | null;
  issued_at: CreatedAt;
  used_at: Date | null;
  expires_at: Date;
}

export interface TimeDealsTable {
  id: Generated<number>;
  name: string;
  description: string | null;
  status: ColumnType<string, string | undefined, string>;
  starts_at: Date;
  ends_at: Date;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface TimeDealProductsTable {
  id: Generated<number>;
  time_deal_id: number;
  product_id: number;
  deal_price: Decimal;
  deal_quantity: number;
  max_per_user: number;
}

export interface TimeDealPurchasesTable {
  id: Generated<number>;
  user_id: string;
  time_deal_product_id: number;
  quantity: number;
  purchase_price: Decimal;
  order_id: number | null;
  /** PURCHASED, or RETURNED when its order was cancelled or expired while the deal ran. */
  status: ColumnType<string, string | undefined, string>;
  purchased_at: CreatedAt;
  returned_at: Date | null;
}

/** One unit of a deal product; `purchase_id` is NULL while the unit is free. */
export interface TimeDealUnitsTable {
  time_deal_product_id: number;
  unit_no: number;
  purchase_id: number | null;
}

/** Units one user holds of a deal product, capped at `max_units` by a CHECK. */
export interface TimeDealUserUnitsTable {
  time_deal_product_id: number;
  user_id: string;
  units: number;
  max_units: number;
}

export interface WaitingQueuesTable {
  id: Generated<number>;
  event_type: string;
  event_id: number;
  max_capacity: number;
  entry_batch_size: number;
  entry_interval_seconds: number;
  entry_ttl_seconds: ColumnType<number, number | undefined, number>;
  is_active: ColumnType<number, number | boolean | undefined, number | boolean>;
  created_at: CreatedAt;
  activated_at: Date | null;
  deactivated_at: Date | null;
}

export interface QueueEntriesTable {
  id: Generated<number>;
  queue_id: number;
  user_id: string;
  entry_token: string;
  /** WAITING, ENTERED, EXPIRED or LEFT. */
  status: ColumnType<string, string | undefined, string>;
  joined_at: CreatedAt;
  entered_at: Date | null;
  /** When an ENTERED entry stops holding capacity. */
  expires_at: Date | null;
  expired_at: Date | null;
  left_at: Date | null;
}

export interface Database {
  users: UsersTable;
  products: ProductsTable;
  product_images: ProductImagesTable;
  inventory: InventoryTable;
  stock_movements: StockMovementsTable;
  carts: CartsTable;
  cart_items: CartItemsTable;
  orders: OrdersTable;
  order_items: OrderItemsTable;
  saga_states: SagaStatesTable;
  payments: PaymentsTable;
  pg_transactions: PgTransactionsTable;
  deliveries: DeliveriesTable;
  delivery_histories: DeliveryHistoriesTable;
  outbox_events: OutboxEventsTable;
  processed_events: ProcessedEventsTable;
  notifications: NotificationsTable;
  analytics_daily: AnalyticsDailyTable;
  idempotency_keys: IdempotencyKeysTable;
  coupons: CouponsTable;
  user_coupons: UserCouponsTable;
  time_deals: TimeDealsTable;
  time_deal_products: TimeDealProductsTable;
  time_deal_purchases: TimeDealPurchasesTable;
  time_deal_units: TimeDealUnitsTable;
  time_deal_user_units: TimeDealUserUnitsTable;
  waiting_queues: WaitingQueuesTable;
  queue_entries: QueueEntriesTable;
}
