import type { CombinedError } from '@urql/core';
import { useCallback, useEffect, useReducer, useRef, useState, type FormEvent } from 'react';
import { useClient } from 'urql';
import { useLiveSubscription } from '../api/live';
import { AdjustStockDocument, DashboardStockDocument, LiveStockDocument, LowStockDocument } from '../generated/graphql';
import { Empty, ErrorNote, LiveIndicator, Loading } from '../ui/states';
import { StockLevels, type StockLevel } from './stock-levels';

const PAGE_SIZE = 50;
const DEFAULT_THRESHOLD = 5;

interface Listing {
  loading: boolean;
  error?: CombinedError;
  /** Product ids in the order the query gave them (by name), for the "all products" view. */
  ids: string[];
  totalCount?: number;
  endCursor?: string | null;
  hasNextPage: boolean;
}

/** Stock of every product, live, with low levels highlighted and adjustments recorded with a reason. */
export function StockPage() {
  const client = useClient();
  const levels = useRef(new StockLevels()).current;
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const [threshold, setThreshold] = useState(DEFAULT_THRESHOLD);
  const [onlyLow, setOnlyLow] = useState(false);
  const [searchInput, setSearchInput] = useState('');
  const [search, setSearch] = useState('');
  const [listing, setListing] = useState<Listing>({ loading: true, ids: [], hasNextPage: false });
  const [lowError, setLowError] = useState<CombinedError | undefined>();
  const [lowLoading, setLowLoading] = useState(false);
  const [editing, setEditing] = useState<string | null>(null);
  const [flashed, setFlashed] = useState<ReadonlySet<string>>(new Set());
  const generation = useRef(0);

  // Searching as one types, without a request per key.
  useEffect(() => {
    const timer = setTimeout(() => setSearch(searchInput.trim()), 300);
    return () => clearTimeout(timer);
  }, [searchInput]);

  const loadProducts = useCallback(
    async (after?: string | null) => {
      const mine = ++generation.current;
      setListing((l) => ({ ...l, loading: true, error: undefined }));
      const startedAt = levels.requestStarted();
      const result = await client.query(DashboardStockDocument, { first: PAGE_SIZE, after: after ?? null, search: search || null }).toPromise();
      if (mine !== generation.current) return;
      if (!result.data) {
        setListing((l) => ({ ...l, loading: false, error: result.error }));
        return;
      }
      const nodes = result.data.products.edges.map((e) => e.node);
      levels.applyRead(
        // a product whose stock inventory could not give just now (null) keeps its last known level
        nodes.flatMap((n) => (n.stock ? [{ productId: n.id, name: n.name, sku: n.sku, available: n.stock.available, reserved: n.stock.reserved }] : [])),
        startedAt,
      );
      setListing((l) => ({
        loading: false,
        ids: after ? [...l.ids, ...nodes.map((n) => n.id).filter((id) => !l.ids.includes(id))] : nodes.map((n) => n.id),
        totalCount: result.data!.products.totalCount,
        endCursor: result.data!.products.pageInfo.endCursor,
        hasNextPage: result.data!.products.pageInfo.hasNextPage,
      }));
    },
    [client, levels, search],
  );

  const loadLow = useCallback(async () => {
    setLowLoading(true);
    setLowError(undefined);
    const startedAt = levels.requestStarted();
    const result = await client.query(LowStockDocument, { threshold }).toPromise();
    setLowLoading(false);
    if (!result.data) {
      setLowError(result.error);
      return;
    }
    levels.applyRead(
      result.data.lowStock.map((s) => ({ productId: s.product.id, name: s.product.name, sku: s.product.sku, available: s.available, reserved: s.reserved })),
      startedAt,
    );
    rerender();
  }, [client, levels, threshold]);

  useEffect(() => {
    void loadProducts();
  }, [loadProducts]);

  useEffect(() => {
    if (onlyLow) void loadLow();
  }, [onlyLow, loadLow]);

  const live = useLiveSubscription(
    LiveStockDocument,
    { productIds: null },
    {
      onData: ({ stockChanged }) => {
        levels.applyLive({ productId: stockChanged.product.id, name: stockChanged.product.name, available: stockChanged.available, reserved: stockChanged.reserved });
        setFlashed((s) => new Set(s).add(stockChanged.product.id));
        setTimeout(() => setFlashed((s) => new Set([...s].filter((id) => id !== stockChanged.product.id))), 2_500);
        rerender();
      },
      onLive: () => {
        void loadProducts();
        if (onlyLow) void loadLow();
      },
    },
  );

  const rows: StockLevel[] = onlyLow ? levels.low(threshold) : listing.ids.map((id) => levels.get(id)).filter((l): l is StockLevel => l !== undefined);
  const loading = onlyLow ? lowLoading : listing.loading;
  const error = onlyLow ? lowError : listing.error;
  const retry = () => void (onlyLow ? loadLow() : loadProducts());

  return (
    <main className="stock-page">
      <section className="panel" aria-label="Stock">
        <div className="panel-head">
          <h2>Stock</h2>
          <LiveIndicator status={live} />
          <label className="inline-field">
            <span>Low below</span>
            <input
              type="number"
              min={1}
              max={1000}
              value={threshold}
              onChange={(e) => setThreshold(Math.max(1, Math.min(1000, Number(e.target.value) || DEFAULT_THRESHOLD)))}
              aria-label="Low-stock threshold"
              className="narrow"
            />
          </label>
          <label className="inline-field checkbox">
            <input type="checkbox" checked={onlyLow} onChange={(e) => setOnlyLow(e.target.checked)} />
            <span>Only low stock</span>
          </label>
          {!onlyLow ? (
            <input type="search" placeholder="Search name, sku…" value={searchInput} onChange={(e) => setSearchInput(e.target.value)} aria-label="Search products" className="search" />
          ) : null}
        </div>
        {live.state === 'failed' ? <ErrorNote message={`Live updates are off: ${live.reason}`} code={live.code} /> : null}
        {error && rows.length > 0 ? <ErrorNote error={error} onRetry={retry} /> : null}
        {rows.length === 0 ? (
          loading ? (
            <Loading>Loading stock…</Loading>
          ) : error ? (
            <ErrorNote error={error} onRetry={retry} />
          ) : onlyLow ? (
            <Empty title={`Nothing below ${threshold} units`}>Every product has at least {threshold} units available.</Empty>
          ) : (
            <Empty title={search ? `No product matches “${search}”` : 'No products yet'} />
          )
        ) : (
          <div className="table-scroll">
            <table className="table stock-table">
              <thead>
                <tr>
                  <th scope="col">Product</th>
                  <th scope="col" className="col-sku">
                    SKU
                  </th>
                  <th scope="col" className="num">
                    Available
                  </th>
                  <th scope="col" className="num">
                    Reserved
                  </th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((level) => {
                  const low = level.available < threshold;
                  const classes = [low ? 'low' : '', flashed.has(level.productId) ? 'flash' : ''].join(' ').trim();
                  return editing === level.productId ? (
                    <AdjustRow
                      key={level.productId}
                      level={level}
                      low={low}
                      onDone={(adjusted, startedAt) => {
                        if (adjusted) levels.applyRead([adjusted], startedAt);
                        setEditing(null);
                        rerender();
                      }}
                      startedAt={() => levels.requestStarted()}
                    />
                  ) : (
                    <tr key={level.productId} className={classes || undefined} data-product-id={level.productId} data-low={low || undefined}>
                      <td>
                        {level.name}
                        {low ? <span className="tag-low">Low</span> : null}
                      </td>
                      <td className="col-sku">
                        <code>{level.sku ?? '—'}</code>
                      </td>
                      <td className="num available" data-testid="available">
                        {level.available}
                      </td>
                      <td className="num">{level.reserved}</td>
                      <td className="actions">
                        <button type="button" className="button" onClick={() => setEditing(level.productId)}>
                          Adjust
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            {!onlyLow && listing.hasNextPage ? (
              <button type="button" className="button load-more" disabled={listing.loading} onClick={() => void loadProducts(listing.endCursor)}>
                {listing.loading ? 'Loading…' : `Load more (${rows.length} of ${listing.totalCount ?? '?'})`}
              </button>
            ) : null}
          </div>
        )}
      </section>
    </main>
  );
}

/** Adjusts one product's available units by a delta, with the reason the stock ledger records. */
function AdjustRow({ level, low, onDone, startedAt }: { level: StockLevel; low: boolean; onDone(adjusted: StockLevel | null, startedAt: number): void; startedAt(): number }) {
  const client = useClient();
  const [delta, setDelta] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CombinedError | undefined>();
  const [invalid, setInvalid] = useState<string | null>(null);
  const parsed = Number(delta);
  const valid = delta.trim() !== '' && Number.isInteger(parsed) && parsed !== 0;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!valid) {
      setInvalid('Enter a whole number of units other than 0: positive to add, negative to remove.');
      return;
    }
    if (!reason.trim()) {
      setInvalid('Say why: the stock ledger records a reason with every adjustment.');
      return;
    }
    setInvalid(null);
    setBusy(true);
    setError(undefined);
    const sent = startedAt();
    const result = await client.mutation(AdjustStockDocument, { productId: level.productId, delta: parsed, reason: reason.trim() }).toPromise();
    setBusy(false);
    const stock = result.data?.adjustStock;
    if (!stock) {
      setError(result.error);
      return;
    }
    onDone({ productId: stock.product.id, name: stock.product.name, available: stock.available, reserved: stock.reserved }, sent);
  }

  return (
    <tr className={low ? 'editing low' : 'editing'} data-product-id={level.productId}>
      <td colSpan={5}>
        <form className="adjust-form" onSubmit={submit} aria-label={`Adjust stock of ${level.name}`}>
          <span className="adjust-name">
            {level.name}: <strong>{level.available}</strong> available
          </span>
          <label className="inline-field">
            <span>Change by</span>
            <input name="delta" type="number" step={1} value={delta} onChange={(e) => setDelta(e.target.value)} placeholder="+10 or -3" className="narrow" autoFocus required />
          </label>
          <label className="inline-field grow">
            <span>Reason</span>
            <input name="reason" value={reason} onChange={(e) => setReason(e.target.value)} placeholder="e.g. delivery received, damaged units" maxLength={200} required />
          </label>
          <button type="submit" className="button-primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
          <button type="button" className="button" onClick={() => onDone(null, 0)} disabled={busy}>
            Cancel
          </button>
          {invalid ? <ErrorNote message={invalid} code="BAD_USER_INPUT" /> : null}
          {error ? <ErrorNote error={error} /> : null}
        </form>
      </td>
    </tr>
  );
}
