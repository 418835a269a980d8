import type { Principal } from '../../platform/http/auth';
import { fail } from '../../platform/http/errors';
import type { DeliveryService } from '../delivery/service';
import type { PaymentService } from '../payment/service';
import type { SagaRow } from './repository';
import type { OrderSaga } from './saga';
import type { AdminOrderDetailResponse, OrderResponse, OrderStatus, SagaStateResponse } from './schemas';
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
    private readonly payments: PaymentService,
  ) {}

  /** The order with its saga, every payment attempt (oldest first) and its delivery (S201). */
  async detail(orderNumber: string): Promise<AdminOrderDetailResponse> {
    const order = await this.orders.getForAdmin(orderNumber);
    const [saga, payments, delivery] = await Promise.all([
      this.orders.repo.sagaOf(order.id),
      this.payments.findByOrder(undefined, order.id),
      this.deliveries.findByOrderNumber(orderNumber),
    ]);
    return {
      order,
      saga: saga ? toSagaResponse(saga) : null,
      payments: payments.map((p) => this.payments.toResponse(p)),
      delivery,
    };
  }

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

function toSagaResponse(s: SagaRow): SagaStateResponse {
  return {
    sagaId: s.saga_id,
    status: s.status as SagaStateResponse['status'],
    currentStep: s.current_step,
    completedSteps: s.completed_steps === '' ? [] : s.completed_steps.split(','),
    lastErrorMessage: s.last_error_message,
    compensationAttempts: s.compensation_attempts,
    startedAt: s.started_at,
    updatedAt: s.updated_at,
    completedAt: s.completed_at,
  };
}
