// The demo data every fresh start seeds (see README "Demo data"). Ids are derived from names, so
// each subgraph seeds its own part and the parts agree on ids without reading each other.
import { createHash } from 'node:crypto';

/** A stable UUID (version 5 layout) from names: the same names always give the same id. */
export function demoId(...parts: string[]): string {
  const hex = createHash('sha1').update(`supergraph-commerce:${parts.join(':')}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export const DEMO_PASSWORD = 'demo-password';

export interface DemoUser { id: string; email: string; name: string; role: 'ADMIN' | 'CUSTOMER' }
export interface DemoCategory { id: string; slug: string; name: string }
export interface DemoProduct { id: string; sku: string; name: string; description: string; priceAmount: number; currency: string; categoryId: string; available: number }
export interface DemoOrderLine { productId: string; quantity: number; unitPriceAmount: number }
export type DemoOrderState = 'DELIVERED' | 'SHIPPED' | 'CONFIRMED' | 'CANCELLED';
export interface DemoOrder { id: string; customerId: string; state: DemoOrderState; statusReason: string | null; lines: DemoOrderLine[]; totalAmount: number; currency: string; createdAt: Date }
export interface DemoTenant { id: string; slug: string; name: string; currency: string; users: DemoUser[]; categories: DemoCategory[]; products: DemoProduct[]; orders: DemoOrder[] }

const CATEGORIES: Record<string, { nouns: string[]; base: number }> = {
  Kitchen: { nouns: ['Mug', 'Teapot', 'Skillet', 'Cutting Board', 'Chef Knife', 'Colander', 'Whisk', 'Ladle', 'Kettle', 'Spice Rack'], base: 1299 },
  Office: { nouns: ['Notebook', 'Desk Lamp', 'Stapler', 'Pen Set', 'Monitor Stand', 'Desk Mat', 'Planner', 'Letter Tray', 'Bookend', 'Whiteboard'], base: 899 },
  Outdoor: { nouns: ['Tent', 'Backpack', 'Water Bottle', 'Headlamp', 'Camp Chair', 'Sleeping Bag', 'Trekking Pole', 'Cooler', 'Hammock', 'Compass'], base: 2499 },
  Apparel: { nouns: ['T-Shirt', 'Hoodie', 'Beanie', 'Scarf', 'Rain Jacket', 'Socks', 'Cap', 'Gloves', 'Vest', 'Sweater'], base: 1999 },
  Electronics: { nouns: ['Headphones', 'Charger', 'Speaker', 'Keyboard', 'Mouse', 'Webcam', 'Power Bank', 'USB Hub', 'Smart Plug', 'Earbuds'], base: 3999 },
  Books: { nouns: ['Cookbook', 'Field Guide', 'Atlas', 'Novel', 'Poetry Collection', 'Sketchbook', 'Travel Journal', 'Almanac', 'Anthology', 'Biography'], base: 1499 },
};
const COLOURS = ['Blue', 'Red', 'Green', 'Black', 'White', 'Grey', 'Yellow', 'Orange', 'Purple', 'Teal'];

/** A number in [0, n) from names: deterministic spread for prices and stock. */
function pick(n: number, ...parts: string[]): number {
  return parseInt(createHash('sha1').update(parts.join(':')).digest('hex').slice(0, 8), 16) % n;
}

function tenant(slug: string, name: string, currency: string, customer: { email: string; name: string }): DemoTenant {
  const tenantId = demoId('tenant', slug);
  const admin: DemoUser = { id: demoId(slug, 'user', `admin@${slug}.test`), email: `admin@${slug}.test`, name: `${name} Admin`, role: 'ADMIN' };
  const shopper: DemoUser = { id: demoId(slug, 'user', customer.email), email: customer.email, name: customer.name, role: 'CUSTOMER' };
  const categories: DemoCategory[] = [];
  const products: DemoProduct[] = [];
  for (const [categoryName, { nouns, base }] of Object.entries(CATEGORIES)) {
    const category = { id: demoId(slug, 'category', categoryName), slug: categoryName.toLowerCase(), name: categoryName };
    categories.push(category);
    // Every noun in two colours: 20 products per category, 120 per tenant.
    const variants = nouns.flatMap((noun, i) => [9, 4].map((shift) => ({ noun, i, colour: COLOURS[(i + shift + categories.length) % COLOURS.length]! })));
    variants.forEach(({ noun, i, colour }) => {
      const productName = `${colour} ${noun}`;
      const sku = `${categoryName.slice(0, 3).toUpperCase()}-${noun.replace(/[^A-Za-z]/g, '').slice(0, 6).toUpperCase()}-${colour.slice(0, 3).toUpperCase()}`;
      // A few products are nearly sold out, so low-stock views and short-stock checkouts show something.
      const available = productName === 'Blue Mug' ? 1 : i === 9 ? 3 + pick(5, slug, sku) : 20 + pick(180, slug, sku, 'stock');
      products.push({
        id: demoId(slug, 'product', sku),
        sku,
        name: productName,
        description: `A ${colour.toLowerCase()} ${noun.toLowerCase()} from our ${categoryName.toLowerCase()} range.`,
        priceAmount: base + pick(40, slug, sku) * 25,
        currency,
        categoryId: category.id,
        available,
      });
    });
  }
  const states: DemoOrderState[] = ['DELIVERED', 'SHIPPED', 'CONFIRMED', 'CANCELLED'];
  const orders: DemoOrder[] = states.map((state, n) => {
    const lines = [0, 1].slice(0, 1 + (n % 2)).map((k) => {
      const product = products[(n * 7 + k * 13 + 5) % products.length]!;
      return { productId: product.id, quantity: 1 + ((n + k) % 3), unitPriceAmount: product.priceAmount };
    });
    return {
      id: demoId(slug, 'order', shopper.email, String(n)),
      customerId: shopper.id,
      state,
      statusReason: state === 'CANCELLED' ? 'Cancelled by the customer' : null,
      lines,
      totalAmount: lines.reduce((sum, l) => sum + l.quantity * l.unitPriceAmount, 0),
      currency,
      createdAt: new Date(Date.UTC(2026, 9, 1 + n * 7, 10, 0, 0)),
    };
  });
  return { id: tenantId, slug, name, currency, users: [admin, shopper], categories, products, orders };
}

export const DEMO_TENANTS: DemoTenant[] = [
  tenant('acme', 'Acme Corporation', 'USD', { email: 'alice@acme.test', name: 'Alice Anders' }),
  tenant('globex', 'Globex Corporation', 'EUR', { email: 'bob@globex.test', name: 'Bob Barker' }),
];
