import type { CombinedError } from '@urql/core';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useClient } from 'urql';
import { useLiveSubscription } from '../api/live';
import { DashboardAdvanceShipmentDocument, DashboardOrderChangesDocument, DashboardOrderDocument, type DashboardOrderDetailFragment, type ShipmentStatus } from '../generated/graphql';
import { formatDateTime, formatMoney, formatStatus, shortId } from '../ui/format';
import { ErrorNote, LiveIndicator, Loading, StatusBadge } from '../ui/states';
import { isNotOlder } from './order-list';

/** The carrier's next step for a shipment, as `updateShipmentStatus` accepts it. */
const NEXT_SHIPMENT_STATUS: Partial<Record<ShipmentStatus, { status: ShipmentStatus; label: string }>> = {
  PENDING: { status: 'SHIPPED', label: 'Mark as shipped' },
  SHIPPED: { status: 'IN_TRANSIT', label: 'Mark in transit' },
  IN_TRANSIT: { status: 'DELIVERED', label: 'Mark as delivered' },
};

type Detail = DashboardOrderDetailFragment;

/** One order across the six subgraphs, live: its lines and products, customer, payment and shipment. */
export function OrderDetail({ id, onClose }: { id: string; onClose(): void }) {
  const client = useClient();
  const [order, setOrder] = useState<Detail | null | undefined>(undefined);
  const [error, setError] = useState<CombinedError | undefined>();
  const [advancing, setAdvancing] = useState(false);
  const [advanceError, setAdvanceError] = useState<CombinedError | undefined>();
  const liveSince = useRef(0);

  const accept = useCallback((next: Detail) => {
    setOrder((current) => (current && !isNotOlder(current.status, next.status) ? current : next));
  }, []);

  const load = useCallback(async () => {
    setError(undefined);
    const startedAt = liveSince.current;
    const result = await client.query(DashboardOrderDocument, { id }).toPromise();
    if (result.error && !result.data) {
      setError(result.error);
      return;
    }
    const loaded = result.data?.order ?? null;
    // A live result that came while this was read is at least as new as what was read.
    if (liveSince.current !== startedAt) return;
    if (loaded) accept(loaded);
    else setOrder(null);
  }, [accept, client, id]);

  useEffect(() => {
    void load();
  }, [load]);

  const live = useLiveSubscription(
    DashboardOrderChangesDocument,
    { id },
    {
      onData: ({ orderUpdated }) => {
        liveSince.current += 1;
        accept(orderUpdated);
      },
      onLive: () => void load(),
    },
  );

  async function advance(shipmentId: string, status: ShipmentStatus) {
    setAdvancing(true);
    setAdvanceError(undefined);
    const result = await client.mutation(DashboardAdvanceShipmentDocument, { id: shipmentId, status }).toPromise();
    setAdvancing(false);
    const shipment = result.data?.updateShipmentStatus;
    if (!shipment) {
      setAdvanceError(result.error);
      return;
    }
    // The order's own status follows through the saga and arrives on the live feed.
    setOrder((current) => (current?.shipment?.id === shipment.id ? { ...current, shipment: { ...current.shipment, ...shipment } } : current));
  }

  return (
    <aside className="panel detail-panel" aria-label="Order detail" data-testid="order-detail">
      <div className="panel-head">
        <button type="button" className="button-link back" onClick={onClose}>
          ← Orders
        </button>
        <h2>
          Order <code title={id}>{shortId(id)}</code>
        </h2>
        <LiveIndicator status={live} />
        <button type="button" className="button-icon close" onClick={onClose} aria-label="Close order detail">
          ×
        </button>
      </div>
      {order === undefined ? (
        error ? (
          <ErrorNote error={error} onRetry={() => void load()} />
        ) : (
          <Loading>Loading order…</Loading>
        )
      ) : order === null ? (
        <ErrorNote message="There is no order with this id in your tenant." code="NOT_FOUND" />
      ) : (
        <div className="detail-body">
          <section className="detail-section">
            <div className="detail-status">
              <StatusBadge status={order.status} />
              {order.statusReason ? <span className="reason">{order.statusReason}</span> : null}
            </div>
            <dl className="facts">
              <dt>Placed</dt>
              <dd>{formatDateTime(order.createdAt)}</dd>
              <dt>Last change</dt>
              <dd>{formatDateTime(order.updatedAt)}</dd>
              <dt>Customer</dt>
              <dd>
                {order.customer ? (
                  <>
                    {order.customer.name} <span className="muted">&lt;{order.customer.email}&gt;</span>
                  </>
                ) : (
                  <span className="muted">unavailable just now</span>
                )}
              </dd>
            </dl>
          </section>

          <section className="detail-section">
            <h3>Lines</h3>
            <table className="table lines-table">
              <thead>
                <tr>
                  <th scope="col">Product</th>
                  <th scope="col" className="num">
                    Qty
                  </th>
                  <th scope="col" className="num">
                    Unit
                  </th>
                  <th scope="col" className="num">
                    Line
                  </th>
                  <th scope="col" className="num" title="Units available now">
                    In stock
                  </th>
                </tr>
              </thead>
              <tbody>
                {order.items.map((item, i) => (
                  <tr key={item.product?.id ?? i}>
                    <td>
                      {item.product ? (
                        <>
                          {item.product.name} <span className="muted small">{item.product.sku}</span>
                        </>
                      ) : (
                        <span className="muted">product unavailable just now</span>
                      )}
                    </td>
                    <td className="num">{item.quantity}</td>
                    <td className="num">{formatMoney(item.unitPrice)}</td>
                    <td className="num">{formatMoney(item.lineTotal)}</td>
                    <td className="num">{item.product?.stock?.available ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row" colSpan={3}>
                    Total
                  </th>
                  <td className="num total">{formatMoney(order.total)}</td>
                  <td />
                </tr>
              </tfoot>
            </table>
          </section>

          <section className="detail-section" aria-label="Payment">
            <h3>Payment</h3>
            {order.payment ? (
              <dl className="facts">
                <dt>Status</dt>
                <dd>
                  <StatusBadge status={order.payment.status} />
                </dd>
                <dt>Amount</dt>
                <dd>{formatMoney(order.payment.amount)}</dd>
                {order.payment.providerReference ? (
                  <>
                    <dt>Reference</dt>
                    <dd>
                      <code>{order.payment.providerReference}</code>
                    </dd>
                  </>
                ) : null}
                {order.payment.failureReason ? (
                  <>
                    <dt>Failure</dt>
                    <dd>{order.payment.failureReason}</dd>
                  </>
                ) : null}
              </dl>
            ) : (
              <p className="muted">{order.status === 'PENDING' ? 'Not charged yet: checkout is under way.' : 'No payment.'}</p>
            )}
          </section>

          <section className="detail-section" aria-label="Shipment">
            <h3>Shipment</h3>
            {order.shipment ? (
              <>
                <dl className="facts">
                  <dt>Status</dt>
                  <dd data-testid="shipment-status">
                    <StatusBadge status={order.shipment.status} />
                  </dd>
                  <dt>Carrier</dt>
                  <dd>{order.shipment.carrier}</dd>
                  <dt>Tracking</dt>
                  <dd>
                    <code>{order.shipment.trackingNumber}</code>
                  </dd>
                  <dt>Shipped</dt>
                  <dd>{formatDateTime(order.shipment.shippedAt)}</dd>
                  <dt>Delivered</dt>
                  <dd>{formatDateTime(order.shipment.deliveredAt)}</dd>
                </dl>
                {NEXT_SHIPMENT_STATUS[order.shipment.status] ? (
                  <button
                    type="button"
                    className="button-primary"
                    disabled={advancing}
                    onClick={() => void advance(order.shipment!.id, NEXT_SHIPMENT_STATUS[order.shipment!.status]!.status)}
                  >
                    {advancing ? 'Saving…' : NEXT_SHIPMENT_STATUS[order.shipment.status]!.label}
                  </button>
                ) : (
                  <p className="muted small">{order.shipment.status === 'DELIVERED' ? 'Delivered: nothing more to do.' : `Shipment ${formatStatus(order.shipment.status).toLowerCase()}.`}</p>
                )}
                {advanceError ? <ErrorNote error={advanceError} /> : null}
              </>
            ) : (
              <p className="muted">{order.status === 'CANCELLED' ? 'No shipment: the order was cancelled.' : 'Created once the order is confirmed.'}</p>
            )}
          </section>
          {error ? <ErrorNote error={error} onRetry={() => void load()} /> : null}
        </div>
      )}
    </aside>
  );
}
