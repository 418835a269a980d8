import type { Principal } from '../../platform/http/auth';
import { fail } from '../../platform/http/errors';
import type { DeliveryService } from '../delivery/service';
import type { OrderSaga } from './saga';
import type { OrderResponse, OrderStatus } from './schemas';
import type { OrderService } from './service';

/**
 * An admin's status change goes through the same machinery a buyer's or a
 * courier's would, so stock, payment and delivery always follow the order:
 * PENDING → CANCELLED releases, PAID → REFUNDED refunds, PAID → SHIPPING and
 * SHIPPING → DELIVERED move the delivery (which moves the order). Anything else: S209.
 */
export class OrderAdmin {
  constructor(
    private readonly orders: OrderService,
    private readonly saga: OrderSaga,
    private readonly deliveries: DeliveryService,
  ) {}

  async setStatus(admin: Principal, orderNumber: string, to: OrderStatus): Promise<OrderResponse> {
    const order = await this.orders.getForAdmin(orderNumber);
    const from = order.status as OrderStatus;
    const move = `${from}→${to}`;
    switch (move) {
      case 'PENDING→CANCELLED':
        await this.saga.cancelPending(order.id, '관리자 취소');
        break;
      case 'PAID→REFUNDED':
        await this.saga.cancel(admin, orderNumber, '관리자 환불');
        break;
      case 'PAID→SHIPPING':
        await this.moveDelivery(admin, orderNumber, ['SHIPPED']);
        break;
      case 'SHIPPING→DELIVERED': {
        const delivery = await this.deliveries.getByOrderNumber(orderNumber, admin);
        await this.moveDelivery(admin, orderNumber, delivery.status === 'SHIPPED' ? ['IN_TRANSIT', 'DELIVERED'] : ['DELIVERED']);
        break;
      }
      default:
        throw fail('INVALID_ORDER_STATUS');
    }
    return this.orders.getById(order.id);
  }

  private async moveDelivery(admin: Principal, orderNumber: string, steps: ('SHIPPED' | 'IN_TRANSIT' | 'DELIVERED')[]): Promise<void> {
    const delivery = await this.deliveries.getByOrderNumber(orderNumber, admin);
    for (const status of steps) {
      await this.deliveries.updateStatus(delivery.trackingNumber, { status, description: '관리자 변경' }, admin);
    }
  }
}
