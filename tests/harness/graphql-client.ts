import { DEMO_PASSWORD } from '../../prisma/demo-data.js';

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  headers: Headers;
  data: T | null | undefined;
  errors: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[] | undefined;
}

/** A plain HTTP GraphQL client, as a storefront or dashboard would send requests. */
export class GraphQLClient {
  private readonly tokens = new Map<string, string>();

  constructor(readonly url: string) {}

  async request<T = Record<string, any>>(
    query: string,
    variables: Record<string, unknown> = {},
    options: { token?: string | null; operationName?: string; headers?: Record<string, string> } = {},
  ): Promise<GraphQLResponse<T>> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers,
      },
      body: JSON.stringify({ query, variables, ...(options.operationName ? { operationName: options.operationName } : {}) }),
    });
    const body = (await response.json()) as { data?: T | null; errors?: GraphQLResponse['errors'] };
    return { status: response.status, headers: response.headers, data: body.data, errors: body.errors };
  }

  /** Signs in as a demo user (tenant from the email's domain) and remembers the token. */
  async tokenFor(email: string, password = DEMO_PASSWORD): Promise<string> {
    const cached = this.tokens.get(email);
    if (cached) return cached;
    const tenant = email.split('@')[1]!.split('.')[0]!;
    const result = await this.request<{ login: { token: string } }>(
      'mutation Login($tenant: String!, $email: String!, $password: String!) { login(tenant: $tenant, email: $email, password: $password) { token } }',
      { tenant, email, password },
    );
    if (!result.data?.login) throw new Error(`login of ${email} failed: ${JSON.stringify(result.errors)}`);
    this.tokens.set(email, result.data.login.token);
    return result.data.login.token;
  }

  /** Runs an operation as a demo user; throws on any GraphQL error so tests read as the happy path. */
  async as<T = Record<string, any>>(email: string, query: string, variables: Record<string, unknown> = {}, operationName?: string): Promise<T> {
    const result = await this.request<T>(query, variables, { token: await this.tokenFor(email), operationName });
    if (result.errors?.length) throw new Error(`${operationName ?? 'operation'} as ${email} failed: ${JSON.stringify(result.errors)}`);
    return result.data as T;
  }
}

/** The code of the first error, for assertions like expect(codeOf(res)).toBe('FORBIDDEN'). */
export function codeOf(response: GraphQLResponse): string | undefined {
  return response.errors?.[0]?.extensions?.code as string | undefined;
}
