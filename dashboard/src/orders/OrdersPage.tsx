import type { CombinedError } from '@urql/core';
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { useClient } from 'urql';
import { useLiveSubscription } from '../api/live';
import { DashboardOrderFeedDocument, DashboardOrdersDocument, type OrderStatus } from '../generated/graphql';
import { formatMoney, formatStatus, formatWhen, shortId } from '../ui/format';
import { Empty, ErrorNote, LiveIndicator, Loading, StatusBadge } from '../ui/states';
import { OrderDetail } from './OrderDetail';
import { OrderList, type OrderRow } from './order-list';

const PAGE_SIZE = 25;
const STATUSES: OrderStatus[] = ['PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'CANCELLED'];
/** How long a row that just changed stays highlighted. */
const FLASH_MS = 2_500;

interface PageState {
  loading: boolean;
  error?: CombinedError;
  totalCount?: number;
  endCursor?: string | null;
  hasNextPage: boolean;
}

/** Every order of the tenant, newest first, kept current by the live feed; the detail of one beside it. */
export function OrdersPage({ selectedId, onSelect }: { selectedId?: string; onSelect(id: string | undefined): void }) {
  const client = useClient();
  const list = useRef(new OrderList()).current;
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const [status, setStatus] = useState<OrderStatus | ''>('');
  const [page, setPage] = useState<PageState>({ loading: true, hasNextPage: false });
  const [flashed, setFlashed] = useState<ReadonlyMap<string, number>>(new Map());
  const [added, setAdded] = useState(0);
  const generation = useRef(0);
  /** The newest order of the first page: live orders newer than it were placed after that read. */
  const newestLoaded = useRef<string | null>(null);

  const load = useCallback(
    async (after?: string | null) => {
      const mine = ++generation.current;
      setPage((p) => ({ ...p, loading: true, error: undefined }));
      const startedAt = list.queryStarted();
      const result = await client.query(DashboardOrdersDocument, { first: PAGE_SIZE, after: after ?? null, status: status || null }).toPromise();
      if (mine !== generation.current) return;
      if (!result.data) {
        setPage((p) => ({ ...p, loading: false, error: result.error }));
        return;
      }
      const { orders } = result.data;
      list.applyPage(
        orders.edges.map((e) => e.node),
        startedAt,
      );
      if (!after) {
        setAdded(0);
        newestLoaded.current = orders.edges[0]?.node.createdAt ?? null;
      }
      setPage({ loading: false, totalCount: orders.totalCount, endCursor: orders.pageInfo.endCursor, hasNextPage: orders.pageInfo.hasNextPage });
      rerender();
    },
    [client, list, status],
  );

  useEffect(() => {
    void load();
  }, [load]);

  const live = useLiveSubscription(
    DashboardOrderFeedDocument,
    {},
    {
      onData: ({ orderUpdated }) => {
        // A live result may also be the current state of an older order (a snapshot when the
        // subscription starts); only orders placed after the first page was read add to the count.
        const isNew = !list.has(orderUpdated.id) && (newestLoaded.current === null || Date.parse(orderUpdated.createdAt) > Date.parse(newestLoaded.current));
        list.applyLive(orderUpdated as OrderRow);
        if (isNew && (!status || orderUpdated.status === status)) setAdded((n) => n + 1);
        setFlashed((m) => new Map(m).set(orderUpdated.id, Date.now()));
        rerender();
      },
      // Subscribed (again): read what may have changed before the subscription ran.
      onLive: () => void load(),
    },
  );

  // Flash highlights fade by themselves.
  useEffect(() => {
    if (flashed.size === 0) return undefined;
    const timer = setTimeout(() => {
      const now = Date.now();
      setFlashed((m) => new Map([...m].filter(([, at]) => now - at < FLASH_MS)));
    }, FLASH_MS);
    return () => clearTimeout(timer);
  }, [flashed]);

  const rows = list.sorted(status || null);
  // Statuses change under a filter, so a count is only kept for the whole list.
  const total = page.totalCount === undefined || status ? undefined : page.totalCount + added;

  return (
    <main className={selectedId ? 'orders-page with-detail' : 'orders-page'}>
      <section className="panel orders-panel" aria-label="Orders">
        <div className="panel-head">
          <h2>Orders</h2>
          <LiveIndicator status={live} />
          <label className="inline-field">
            <span>Status</span>
            <select value={status} onChange={(e) => setStatus(e.target.value as OrderStatus | '')} aria-label="Filter by status">
              <option value="">All</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {formatStatus(s)}
                </option>
              ))}
            </select>
          </label>
          <span className="muted small" data-testid="order-count">
            {total === undefined ? `${rows.length} shown` : rows.length === total ? `${total} orders` : `${rows.length} of ${total} orders`}
          </span>
        </div>
        {live.state === 'failed' ? <ErrorNote message={`Live updates are off: ${live.reason}`} code={live.code} /> : null}
        {page.error && rows.length > 0 ? <ErrorNote error={page.error} onRetry={() => void load()} /> : null}
        {rows.length === 0 ? (
          page.loading ? (
            <Loading>Loading orders…</Loading>
          ) : page.error ? (
            <ErrorNote error={page.error} onRetry={() => void load()} />
          ) : (
            <Empty title={status ? `No ${formatStatus(status).toLowerCase()} orders` : 'No orders yet'}>Orders placed by customers appear here as they come in.</Empty>
          )
        ) : (
          <div className="table-scroll">
            <table className="table orders-table">
              <thead>
                <tr>
                  <th scope="col">Order</th>
                  <th scope="col">Placed</th>
                  <th scope="col">Customer</th>
                  <th scope="col" className="col-items">
                    Items
                  </th>
                  <th scope="col" className="num">
                    Total
                  </th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((order) => (
                  <tr
                    key={order.id}
                    data-order-id={order.id}
                    className={[order.id === selectedId ? 'selected' : '', flashed.has(order.id) ? 'flash' : ''].join(' ').trim() || undefined}
                    onClick={() => onSelect(order.id)}
                    tabIndex={0}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter') onSelect(order.id);
                    }}
                    aria-selected={order.id === selectedId}
                  >
                    <td>
                      <code title={order.id}>{shortId(order.id)}</code>
                    </td>
                    <td className="nowrap">{formatWhen(order.createdAt)}</td>
                    <td className="ellipsis">{order.customer?.email ?? '—'}</td>
                    <td className="col-items ellipsis">{order.items.map((i) => `${i.quantity} × ${i.product?.name ?? '…'}`).join(', ')}</td>
                    <td className="num">{formatMoney(order.total)}</td>
                    <td>
                      <StatusBadge status={order.status} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {page.hasNextPage ? (
              <button type="button" className="button load-more" disabled={page.loading} onClick={() => void load(page.endCursor)}>
                {page.loading ? 'Loading…' : 'Load more'}
              </button>
            ) : null}
          </div>
        )}
      </section>
      {selectedId ? <OrderDetail key={selectedId} id={selectedId} onClose={() => onSelect(undefined)} /> : null}
    </main>
  );
}
