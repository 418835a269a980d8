/**
 * The one error registry: every S (shopping) and C (common) code of the API
 * contract once, with its HTTP status and fixed message. `errors.test.ts`
 * checks it against the contract's tables.
 */
export interface ErrorDef {
  readonly code: string;
  readonly status: number;
  readonly message: string;
}

export const Errors = {
  PRODUCT_NOT_FOUND: { code: 'S001', status: 404, message: 'Product not found' },
  PRODUCT_ALREADY_EXISTS: { code: 'S002', status: 409, message: 'Product with this name already exists' },
  PRODUCT_INACTIVE: { code: 'S003', status: 400, message: 'Product is currently inactive' },
  INVALID_PRODUCT_PRICE: { code: 'S004', status: 400, message: 'Product price must be greater than 0' },
  INVALID_PRODUCT_QUANTITY: { code: 'S005', status: 400, message: 'Product quantity must be greater than 0' },
  INVALID_PRICE: { code: 'S006', status: 400, message: 'Invalid price' },
  INVALID_STOCK_QUANTITY_PARAM: { code: 'S007', status: 400, message: 'Invalid stock quantity' },
  PRODUCT_NAME_ALREADY_EXISTS: { code: 'S008', status: 409, message: 'Product name already exists' },
  CANNOT_DELETE_PRODUCT_WITH_ORDERS: { code: 'S009', status: 409, message: 'Cannot delete product with active orders' },
  STOCK_UPDATE_FAILED: { code: 'S010', status: 500, message: 'Stock update failed' },
  CART_NOT_FOUND: { code: 'S101', status: 404, message: 'Cart not found' },
  CART_ITEM_NOT_FOUND: { code: 'S102', status: 404, message: 'Cart item not found' },
  CART_ALREADY_CHECKED_OUT: { code: 'S103', status: 400, message: 'Cart has already been checked out' },
  CART_EMPTY: { code: 'S104', status: 400, message: 'Cart is empty' },
  CART_ITEM_QUANTITY_EXCEEDED: { code: 'S105', status: 400, message: 'Requested quantity exceeds available stock' },
  CART_ITEM_ALREADY_EXISTS: { code: 'S106', status: 409, message: 'Product already exists in cart' },
  INVALID_CART_ITEM_QUANTITY: { code: 'S107', status: 400, message: 'Cart item quantity must be greater than 0' },
  ORDER_NOT_FOUND: { code: 'S201', status: 404, message: 'Order not found' },
  ORDER_ALREADY_CANCELLED: { code: 'S202', status: 400, message: 'Order has already been cancelled' },
  ORDER_CANNOT_BE_CANCELLED: { code: 'S203', status: 400, message: 'Order cannot be cancelled in current status' },
  ORDER_ALREADY_PAID: { code: 'S204', status: 400, message: 'Order has already been paid' },
  ORDER_NOT_PAID: { code: 'S205', status: 400, message: 'Order has not been paid yet' },
  ORDER_ALREADY_SHIPPED: { code: 'S206', status: 400, message: 'Order has already been shipped' },
  ORDER_ALREADY_DELIVERED: { code: 'S207', status: 400, message: 'Order has already been delivered' },
  ORDER_CREATION_FAILED: { code: 'S208', status: 500, message: 'Failed to create order' },
  INVALID_ORDER_STATUS: { code: 'S209', status: 400, message: 'Invalid order status transition' },
  ORDER_AMOUNT_MISMATCH: { code: 'S210', status: 400, message: 'Order amount does not match' },
  INVALID_SHIPPING_ADDRESS: { code: 'S211', status: 400, message: 'Invalid shipping address' },
  ORDER_USER_MISMATCH: { code: 'S212', status: 403, message: 'Order does not belong to current user' },
  PAYMENT_NOT_FOUND: { code: 'S301', status: 404, message: 'Payment not found' },
  PAYMENT_ALREADY_COMPLETED: { code: 'S302', status: 400, message: 'Payment has already been completed' },
  PAYMENT_ALREADY_CANCELLED: { code: 'S303', status: 400, message: 'Payment has already been cancelled' },
  PAYMENT_PROCESSING_FAILED: { code: 'S304', status: 400, message: 'Payment processing failed' },
  PAYMENT_REFUND_FAILED: { code: 'S305', status: 500, message: 'Payment refund failed' },
  INVALID_PAYMENT_AMOUNT: { code: 'S306', status: 400, message: 'Invalid payment amount' },
  PAYMENT_METHOD_NOT_SUPPORTED: { code: 'S307', status: 400, message: 'Payment method not supported' },
  PAYMENT_TIMEOUT: { code: 'S308', status: 408, message: 'Payment request timed out' },
  PAYMENT_CANCELLED_BY_USER: { code: 'S309', status: 400, message: 'Payment cancelled by user' },
  INSUFFICIENT_BALANCE: { code: 'S310', status: 400, message: 'Insufficient balance for payment' },
  PG_CONNECTION_ERROR: { code: 'S311', status: 503, message: 'Payment gateway connection error' },
  PAYMENT_CANNOT_BE_CANCELLED: { code: 'S312', status: 400, message: 'Payment cannot be cancelled in current status' },
  PAYMENT_USER_MISMATCH: { code: 'S313', status: 403, message: 'Payment does not belong to current user' },
  PAYMENT_IN_PROGRESS: { code: 'S314', status: 409, message: 'A payment for this order is already in progress' },
  INVENTORY_NOT_FOUND: { code: 'S401', status: 404, message: 'Inventory not found for product' },
  INSUFFICIENT_STOCK: { code: 'S402', status: 400, message: 'Insufficient stock available' },
  STOCK_RESERVATION_FAILED: { code: 'S403', status: 500, message: 'Failed to reserve stock' },
  STOCK_RELEASE_FAILED: { code: 'S404', status: 500, message: 'Failed to release stock' },
  STOCK_DEDUCTION_FAILED: { code: 'S405', status: 500, message: 'Failed to deduct stock' },
  INVALID_STOCK_QUANTITY: { code: 'S406', status: 400, message: 'Stock quantity must be non-negative' },
  INVENTORY_ALREADY_EXISTS: { code: 'S407', status: 409, message: 'Inventory already exists for product' },
  CONCURRENT_STOCK_MODIFICATION: { code: 'S408', status: 409, message: 'Stock was modified by another transaction' },
  DELIVERY_NOT_FOUND: { code: 'S501', status: 404, message: 'Delivery not found' },
  DELIVERY_ALREADY_SHIPPED: { code: 'S502', status: 400, message: 'Delivery has already been shipped' },
  DELIVERY_ALREADY_DELIVERED: { code: 'S503', status: 400, message: 'Delivery has already been delivered' },
  DELIVERY_CANNOT_BE_CANCELLED: { code: 'S504', status: 400, message: 'Delivery cannot be cancelled in current status' },
  DELIVERY_CREATION_FAILED: { code: 'S505', status: 500, message: 'Failed to create delivery' },
  INVALID_DELIVERY_STATUS: { code: 'S506', status: 400, message: 'Invalid delivery status transition' },
  DELIVERY_CARRIER_NOT_AVAILABLE: { code: 'S507', status: 503, message: 'Delivery carrier not available' },
  COUPON_NOT_FOUND: { code: 'S601', status: 404, message: 'Coupon not found' },
  COUPON_EXHAUSTED: { code: 'S602', status: 409, message: 'Coupon is exhausted' },
  COUPON_EXPIRED: { code: 'S603', status: 400, message: 'Coupon has expired' },
  COUPON_ALREADY_ISSUED: { code: 'S604', status: 409, message: 'Coupon already issued to this user' },
  COUPON_NOT_STARTED: { code: 'S605', status: 400, message: 'Coupon issuance has not started yet' },
  COUPON_INACTIVE: { code: 'S606', status: 400, message: 'Coupon is not active' },
  COUPON_CODE_ALREADY_EXISTS: { code: 'S607', status: 409, message: 'Coupon code already exists' },
  USER_COUPON_NOT_FOUND: { code: 'S608', status: 404, message: 'User coupon not found' },
  USER_COUPON_ALREADY_USED: { code: 'S609', status: 400, message: 'User coupon has already been used' },
  USER_COUPON_EXPIRED: { code: 'S610', status: 400, message: 'User coupon has expired' },
  COUPON_MINIMUM_ORDER_NOT_MET: { code: 'S611', status: 400, message: 'Minimum order amount not met for this coupon' },
  TIMEDEAL_NOT_FOUND: { code: 'S701', status: 404, message: 'Time deal not found' },
  TIMEDEAL_NOT_ACTIVE: { code: 'S702', status: 400, message: 'Time deal is not active' },
  TIMEDEAL_EXPIRED: { code: 'S703', status: 400, message: 'Time deal has expired' },
  TIMEDEAL_SOLD_OUT: { code: 'S704', status: 409, message: 'Time deal product is sold out' },
  TIMEDEAL_PURCHASE_LIMIT_EXCEEDED: { code: 'S705', status: 409, message: 'Purchase limit exceeded for this time deal' },
  TIMEDEAL_PRODUCT_NOT_FOUND: { code: 'S706', status: 404, message: 'Time deal product not found' },
  TIMEDEAL_ALREADY_EXISTS: { code: 'S707', status: 409, message: 'Time deal already exists for this product' },
  TIMEDEAL_INVALID_PERIOD: { code: 'S708', status: 400, message: 'Invalid time deal period' },
  QUEUE_NOT_FOUND: { code: 'S801', status: 404, message: 'Waiting queue not found' },
  QUEUE_ALREADY_ENTERED: { code: 'S802', status: 409, message: 'Already entered in the queue' },
  QUEUE_ENTRY_NOT_FOUND: { code: 'S803', status: 404, message: 'Queue entry not found' },
  QUEUE_TOKEN_EXPIRED: { code: 'S804', status: 401, message: 'Queue token has expired' },
  QUEUE_NOT_ALLOWED: { code: 'S805', status: 403, message: 'Not allowed to enter yet' },
  QUEUE_ENTRY_REQUIRED: { code: 'S806', status: 403, message: 'Queue entry is required for this event' },
  QUEUE_TOKEN_USER_MISMATCH: { code: 'S807', status: 403, message: 'Queue token does not belong to current user' },
  SAGA_EXECUTION_FAILED: { code: 'S901', status: 500, message: 'Saga execution failed' },
  SAGA_COMPENSATION_FAILED: { code: 'S902', status: 500, message: 'Saga compensation failed' },
  SAGA_NOT_FOUND: { code: 'S903', status: 404, message: 'Saga state not found' },
  SAGA_ALREADY_COMPLETED: { code: 'S904', status: 400, message: 'Saga has already been completed' },
  SAGA_TIMEOUT: { code: 'S905', status: 408, message: 'Saga execution timed out' },
  SEARCH_FAILED: { code: 'S1001', status: 500, message: 'Search operation failed' },
  INVALID_SEARCH_QUERY: { code: 'S1002', status: 400, message: 'Invalid search query' },
  INDEX_NOT_FOUND: { code: 'S1003', status: 500, message: 'Search index not found' },
  SUGGEST_FAILED: { code: 'S1004', status: 500, message: 'Autocomplete suggestion failed' },
  INTERNAL_SERVER_ERROR: { code: 'C001', status: 500, message: 'Internal Server Error' },
  INVALID_INPUT_VALUE: { code: 'C002', status: 400, message: 'Invalid Input Value' },
  NOT_FOUND: { code: 'C003', status: 404, message: 'Not Found' },
  FORBIDDEN: { code: 'C004', status: 403, message: 'Forbidden' },
  UNAUTHORIZED: { code: 'C005', status: 401, message: 'Unauthorized' },
  XSS_DETECTED: { code: 'C006', status: 400, message: 'Potential XSS attack detected' },
  SQL_INJECTION_DETECTED: { code: 'C007', status: 400, message: 'Potential SQL Injection detected' },
  INVALID_HTML: { code: 'C008', status: 400, message: 'Invalid HTML content' },
  METHOD_NOT_ALLOWED: { code: 'C009', status: 405, message: 'Method not allowed' },
  UNSUPPORTED_MEDIA_TYPE: { code: 'C010', status: 415, message: 'Unsupported media type' },
  IDEMPOTENCY_KEY_REUSED: { code: 'C011', status: 422, message: 'Idempotency key reused with a different request' },
  IDEMPOTENCY_KEY_IN_PROGRESS: { code: 'C012', status: 409, message: 'A request with this idempotency key is still in progress' },
  TOO_MANY_REQUESTS: { code: 'C013', status: 429, message: 'Too many requests' },
  SERVICE_UNAVAILABLE: { code: 'C014', status: 503, message: 'Service temporarily unavailable' },
  URI_TOO_LONG: { code: 'C015', status: 414, message: 'URI too long' },
  REQUEST_HEADER_FIELDS_TOO_LARGE: { code: 'C016', status: 431, message: 'Request header fields too large' },
  REQUEST_TIMEOUT: { code: 'C017', status: 408, message: 'Request timed out' },
  INVALID_CREDENTIALS: { code: 'A001', status: 401, message: 'Invalid email or password' },
  EMAIL_ALREADY_REGISTERED: { code: 'A002', status: 409, message: 'Email already registered' },} as const satisfies Record<string, ErrorDef>;

export type ErrorName = keyof typeof Errors;

/** One field's problem in a C002 answer. */
export interface FieldError {
  field: string;
  message: string;
  rejectedValue?: unknown;
}

/** A failure the client should see: thrown anywhere, rendered by the error handler. */
export class AppError extends Error {
  readonly def: ErrorDef;
  readonly details?: FieldError[];

  constructor(def: ErrorDef, details?: FieldError[]) {
    super(def.message);
    this.name = 'AppError';
    this.def = def;
    this.details = details;
  }

  get status(): number {
    return this.def.status;
  }
}

/** Throw-site sugar: `throw fail('CART_EMPTY')`. */
export function fail(name: ErrorName, details?: FieldError[]): AppError {
  return new AppError(Errors[name], details);
}

export function isAppError(err: unknown, name?: ErrorName): err is AppError {
  return err instanceof AppError && (name === undefined || err.def === Errors[name]);
}
