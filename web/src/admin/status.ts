/** The badge colour of an entity status, whichever module it comes from. */
export function statusTone(status: string): 'ok' | 'warn' | 'bad' | 'muted' | 'info' {
  switch (status) {
    case 'ACTIVE':
    case 'PAID':
    case 'DELIVERED':
    case 'COMPLETED':
    case 'CONFIRMED':
    case 'SUCCESS':
    case 'SENT':
      return 'ok';
    case 'SCHEDULED':
    case 'PENDING':
    case 'PREPARING':
    case 'SHIPPED':
    case 'IN_TRANSIT':
    case 'PROCESSING':
    case 'STARTED':
      return 'info';
    case 'EXHAUSTED':
    case 'REFUNDED':
    case 'COMPENSATING':
      return 'warn';
    case 'CANCELLED':
    case 'FAILED':
    case 'COMPENSATION_FAILED':
    case 'RETURNED':
      return 'bad';
    default:
      return 'muted';
  }
}
