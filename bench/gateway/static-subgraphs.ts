// The four subgraphs of the public federation gateway benchmark's shape (accounts, products,
// inventory, reviews), with data and text of our own. Each answers from fixed data through a real
// subgraph schema the first time it sees a request body and from a cache of the serialized answer
// after that, so that under load nearly all the CPU of a client request is the gateway's.
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { parse, type DocumentNode } from 'graphql';

export interface StaticSubgraph {
  name: 'accounts' | 'products' | 'inventory' | 'reviews';
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<unknown>;
}

interface User {
  id: string;
  name: string;
  username: string;
  birthday: number;
}
interface Product {
  upc: string;
  name: string;
  price: number;
  weight: number;
  inStock: boolean;
}
interface Review {
  id: string;
  body: string;
  authorId: string;
  upc: string;
}

const USERS: User[] = [
  ['Ada Okafor', 'adao'],
  ['Bruno Lindqvist', 'brunol'],
  ['Chen Mei', 'chenm'],
  ['Dalia Haddad', 'daliah'],
  ['Emil Novak', 'emiln'],
  ['Farah Idris', 'farahi'],
].map(([name, username], i) => ({ id: String(i + 1), name: name!, username: username!, birthday: 631_152_000 + i * 86_400 * 97 }));

const PRODUCTS: Product[] = (
  [
    ['Oak desk', 899, 100, true],
    ['Reading chair', 1299, 1000, false],
    ['Water glass', 15, 20, false],
    ['Side table', 499, 100, false],
    ['Floor lamp', 1299, 1000, true],
    ['Wool rug', 6999, 300, true],
    ['Bookshelf', 3999, 2000, true],
    ['Wardrobe', 100_000, 6000, false],
    ['Daybed', 9999, 800, true],
  ] as const
).map(([name, price, weight, inStock], i) => ({ upc: String(i + 1), name, price, weight, inStock }));

/** Review text of a given length, always the same for one seed. */
function text(seed: number, length: number): string {
  const words = ['sturdy', 'arrived', 'quickly', 'the', 'finish', 'is', 'even', 'and', 'warm', 'assembly', 'took', 'an', 'hour', 'would', 'buy', 'again', 'colour', 'matches', 'photos', 'packaging', 'was', 'careful', 'legs', 'feel', 'solid', 'smaller', 'than', 'expected', 'but', 'fine'];
  let state = seed * 2_654_435_761;
  const out: string[] = [];
  let size = 0;
  while (size < length) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    const word = words[state % words.length]!;
    out.push(word);
    size += word.length + 1;
  }
  const sentence = out.join(' ').slice(0, length - 1);
  return `${sentence[0]!.toUpperCase()}${sentence.slice(1)}.`;
}

// Each user wrote two reviews; the first products have the most, as on a real shop.
const REVIEW_PRODUCTS = ['1', '1', '1', '1', '2', '2', '2', '2', '3', '4', '4', '5'];
const REVIEWS: Review[] = REVIEW_PRODUCTS.map((upc, i) => ({
  id: String(i + 1),
  body: text(i + 1, [620, 400, 385, 210, 620, 400, 385, 210, 210, 210, 1200, 210][i]!),
  authorId: String(Math.floor(i / 2) + 1),
  upc,
}));

const byId = <T, K extends keyof T>(rows: T[], key: K) => new Map(rows.map((row) => [row[key], row]));
const users = byId(USERS, 'id');
const products = byId(PRODUCTS, 'upc');
const reviews = byId(REVIEWS, 'id');

const FEDERATION = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@external", "@requires", "@provides"])';

export const STATIC_SUBGRAPHS: StaticSubgraph[] = [
  {
    name: 'accounts',
    typeDefs: parse(`${FEDERATION}
      type Query { me: User  user(id: ID!): User  users: [User] }
      type User @key(fields: "id") { id: ID!  name: String  username: String @shareable  birthday: Int }`),
    resolvers: {
      Query: {
        me: () => USERS[0],
        user: (_: unknown, { id }: { id: string }) => users.get(id) ?? null,
        users: () => USERS,
      },
      User: { __resolveReference: ({ id }: { id: string }) => users.get(id) ?? null },
    },
  },
  {
    name: 'products',
    typeDefs: parse(`${FEDERATION}
      type Query { topProducts(first: Int = 5): [Product] }
      type Product @key(fields: "upc") { upc: String!  name: String  price: Int  weight: Int }`),
    resolvers: {
      Query: { topProducts: (_: unknown, { first }: { first: number }) => PRODUCTS.slice(0, first) },
      Product: { __resolveReference: ({ upc }: { upc: string }) => products.get(upc) ?? null },
    },
  },
  {
    name: 'inventory',
    typeDefs: parse(`${FEDERATION}
      type Product @key(fields: "upc") {
        upc: String!
        weight: Int @external
        price: Int @external
        inStock: Boolean
        shippingEstimate: Int @requires(fields: "price weight")
      }`),
    resolvers: {
      Product: {
        __resolveReference: (ref: { upc: string; price?: number; weight?: number }) => ({ ...ref, inStock: products.get(ref.upc)?.inStock ?? false }),
        // free above 1000; otherwise half a unit per unit of weight
        shippingEstimate: ({ price, weight }: { price?: number; weight?: number }) =>
          price === undefined || weight === undefined ? null : price > 1000 ? 0 : Math.ceil(weight / 2),
      },
    },
  },
  {
    name: 'reviews',
    typeDefs: parse(`${FEDERATION}
      type Review @key(fields: "id") { id: ID!  body: String  product: Product  author: User @provides(fields: "username") }
      type User @key(fields: "id") { id: ID!  username: String @external  reviews: [Review] }
      type Product @key(fields: "upc") { upc: String!  reviews: [Review] }`),
    resolvers: {
      Review: {
        __resolveReference: ({ id }: { id: string }) => reviews.get(id) ?? null,
        product: (review: Review) => ({ __typename: 'Product', upc: review.upc }),
        author: (review: Review) => ({ __typename: 'User', id: review.authorId, username: users.get(review.authorId)?.username }),
      },
      User: {
        __resolveReference: ({ id }: { id: string }) => ({ id }),
        reviews: ({ id }: { id: string }) => REVIEWS.filter((r) => r.authorId === id),
      },
      Product: {
        __resolveReference: ({ upc }: { upc: string }) => ({ upc }),
        reviews: ({ upc }: { upc: string }) => REVIEWS.filter((r) => r.upc === upc),
      },
    },
  },
];

export function schemaOf(subgraph: StaticSubgraph) {
  return buildSubgraphSchema({ typeDefs: subgraph.typeDefs, resolvers: subgraph.resolvers });
}

/** The fan-out query: products with their reviews, the reviews' authors and the authors' other reviews, from both ends. */
export const FANOUT_QUERY = `query TopProductsAndReviewers {
  users {
    ...UserFields
    reviews {
      ...ReviewFields
      product {
        ...ProductFields
        reviews { ...ReviewFields author { ...UserFields reviews { ...ReviewFields product { ...ProductFields } } } }
      }
    }
  }
  topProducts {
    ...ProductFields
    reviews { ...ReviewFields author { ...UserFields reviews { ...ReviewFields product { ...ProductFields } } } }
  }
}
fragment UserFields on User { id username name }
fragment ReviewFields on Review { id body }
fragment ProductFields on Product { upc name price weight inStock shippingEstimate }`;
