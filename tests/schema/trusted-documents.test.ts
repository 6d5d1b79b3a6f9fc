import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '#platform/config';
import { buildManifest } from '../../tools/trusted-documents/manifest.js';

// schema/trusted-documents.json is generated (npm install runs `npm run trusted-documents`), never edited.
const manifest = buildManifest(resolve(REPO_ROOT, 'schema/operations'));

describe('the trusted-documents manifest', () => {
  it('holds every operation of the client contract, the session operations and the admin dashboard', () => {
    const names = manifest.operations.map((o: { name: string }) => o.name);
    for (const name of ['Login', 'Catalog', 'Product', 'PlaceOrder', 'CancelOrder', 'MyOrders', 'Order', 'OrderUpdated', 'DashboardOrders', 'LowStock', 'AdjustStock', 'CreateProduct', 'LiveOrders', 'LiveStock', 'SignIn', 'RefreshSession', 'SignOut', 'DashboardOrderFeed', 'DashboardOrder', 'DashboardOrderChanges', 'DashboardAdvanceShipment', 'DashboardStock', 'DashboardViewer']) {
      expect(names).toContain(name);
    }
  });

  it('gives every operation a distinct id', () => {
    const ids = manifest.operations.map((o: { id: string }) => o.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
